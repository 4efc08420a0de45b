// pytest-mpm-bench's Java driver: compiled with the solution and the generated MpmCodes.java
// (the solution's top-level class names and one Supplier<Object> per `code` snippet).
//
// Reads input.json (inputs only), converts each test's JSON arguments by reflection into the
// entry point's parameter types, runs it and writes one JSON record per test, then an end
// record, to file descriptor 3. Results are turned into plain JSON here (no equals/toString of
// the solution is consulted): arrays and collections -> lists, maps -> objects, records ->
// objects of their components, enums -> their names, Optional -> its value or null. The rules
// (an integer in an Object is an Integer, Long only when it does not fit; 2.5 is never
// truncated into an int; a char is a one-character string) are tabled in docs/values.md.
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.reflect.*;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

public final class MpmDriver {
    static final int MAX_DEPTH = 200;
    static OutputStream channel;

    static final class Failure extends RuntimeException {
        final String kind;
        Failure(String kind, String message) { super(message); this.kind = kind; }
    }

    // ---- a small JSON reader: objects -> LinkedHashMap, arrays -> ArrayList, integers ->
    // Integer (Long, then BigInteger, only when they do not fit), other numbers -> Double
    static final class Reader {
        final String s; int i;
        Reader(String s) { this.s = s; }
        static Object parse(String text) {
            Reader r = new Reader(text);
            Object v = r.value();
            r.ws();
            if (r.i != r.s.length()) throw new Failure("TypeError", "trailing data in JSON");
            return v;
        }
        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
        Object value() {
            ws();
            if (i >= s.length()) throw new Failure("TypeError", "unexpected end of JSON");
            char c = s.charAt(i);
            if (c == '{') {
                i++; Map<String, Object> m = new LinkedHashMap<>(); ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws(); String k = string(); ws(); expect(':'); m.put(k, value()); ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect('}'); return m;
                }
            }
            if (c == '[') {
                i++; List<Object> l = new ArrayList<>(); ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value()); ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect(']'); return l;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String num = s.substring(start, i);
            if (num.isEmpty()) throw new Failure("TypeError", "bad JSON at " + start);
            if (num.contains(".") || num.contains("e") || num.contains("E")) return Double.parseDouble(num);
            BigInteger big = new BigInteger(num);
            if (big.bitLength() < 32) return big.intValue();
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) throw new Failure("TypeError", "expected '" + c + "' in JSON");
            i++;
        }
        String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }
    }

    // ---- JSON -> Java values of a declared type
    static Object convert(Object v, Type type) {
        Class<?> raw = rawClass(type);
        if (v == null) {
            if (raw.isPrimitive()) throw mismatch(null, type);
            return null;
        }
        if (raw == int.class || raw == Integer.class) return integral(v, type, 32).intValue();
        if (raw == long.class || raw == Long.class) return integral(v, type, 64).longValue();
        if (raw == short.class || raw == Short.class) return integral(v, type, 16).shortValue();
        if (raw == byte.class || raw == Byte.class) return integral(v, type, 8).byteValue();
        if (raw == BigInteger.class) return integral(v, type, 0);
        if (raw == double.class || raw == Double.class) return number(v, type).doubleValue();
        if (raw == float.class || raw == Float.class) return number(v, type).floatValue();
        if (raw == BigDecimal.class) return new BigDecimal(number(v, type).toString());
        if (raw == boolean.class || raw == Boolean.class) {
            if (!(v instanceof Boolean)) throw mismatch(v, type);
            return v;
        }
        if (raw == char.class || raw == Character.class) {
            if (!(v instanceof String) || ((String) v).length() != 1) throw mismatch(v, type);
            return ((String) v).charAt(0);
        }
        if (raw == String.class || raw == CharSequence.class) {
            if (!(v instanceof String)) throw mismatch(v, type);
            return v;
        }
        if (raw.isArray()) {
            if (raw == char[].class && v instanceof String) return ((String) v).toCharArray();
            if (!(v instanceof List)) throw mismatch(v, type);
            List<?> l = (List<?>) v;
            Type component = type instanceof GenericArrayType
                ? ((GenericArrayType) type).getGenericComponentType() : raw.getComponentType();
            Object arr = Array.newInstance(raw.getComponentType(), l.size());
            for (int k = 0; k < l.size(); k++) Array.set(arr, k, convert(l.get(k), component, k));
            return arr;
        }
        if (Collection.class.isAssignableFrom(raw)) {
            if (!(v instanceof List)) throw mismatch(v, type);
            Type item = typeArg(type, 0);
            Collection<Object> out;
            if (Set.class.isAssignableFrom(raw)) out = raw == TreeSet.class || raw == SortedSet.class ? new TreeSet<>() : new LinkedHashSet<>();
            else if (Deque.class.isAssignableFrom(raw) || Queue.class.isAssignableFrom(raw)) out = new ArrayDeque<>();
            else out = new ArrayList<>();
            int k = 0;
            for (Object o : (List<?>) v) out.add(convert(o, item, k++));
            return out;
        }
        if (Map.class.isAssignableFrom(raw)) {
            if (!(v instanceof Map)) throw mismatch(v, type);
            Type kt = typeArg(type, 0), vt = typeArg(type, 1);
            Map<Object, Object> out = raw == TreeMap.class || raw == SortedMap.class ? new TreeMap<>() : new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                String text = (String) e.getKey();
                out.put(mapKey(text, kt), convert(e.getValue(), vt, "[" + quoted(text) + "]"));
            }
            return out;
        }
        if (raw == Optional.class) return Optional.ofNullable(convert(v, typeArg(type, 0)));
        if (raw == Object.class) return v;
        if (raw == Number.class) return number(v, type);
        throw new Failure("TypeError", "cannot pass JSON as a " + type.getTypeName());
    }

    /** convert, with the position of an item in the message of a failure. */
    static Object convert(Object v, Type type, Object at) {
        try {
            return convert(v, type);
        } catch (Failure f) {
            String where = at instanceof Integer ? "[" + at + "]" : at.toString();
            throw new Failure(f.kind, where + (f.getMessage().startsWith("[") ? "" : ": ") + f.getMessage());
        }
    }

    /** An object key (a string in JSON) as a key of the declared type: numbers and booleans
     *  are read from the key's text, a Character is its one character. */
    static Object mapKey(String text, Type kt) {
        Class<?> kr = rawClass(kt);
        if (kr == String.class || kr == Object.class || kr == CharSequence.class
                || kr == Character.class || kr == char.class) return convert(text, kt, "key " + quoted(text));
        Object parsed;
        try {
            parsed = Reader.parse(text);
        } catch (RuntimeException e) {
            throw new Failure("TypeError", "key " + quoted(text) + ": " + mismatch(text, kt).getMessage());
        }
        return convert(parsed, kt, "key " + quoted(text));
    }

    static String quoted(String s) {
        StringBuilder b = new StringBuilder();
        string(b, s);
        return b.toString();
    }

    static Failure mismatch(Object v, Type type) {
        String shown = v instanceof String ? quoted((String) v) : v instanceof List ? "a list"
            : v instanceof Map ? "an object" : String.valueOf(v);
        return new Failure("TypeError", "expected type " + typeName(type) + ", got " + shown);
    }

    static String typeName(Type type) {
        return type.getTypeName().replaceAll("\\bjava\\.(lang|util)\\.", "");
    }

    static Number number(Object v, Type type) {
        if (!(v instanceof Number)) throw mismatch(v, type);
        return (Number) v;
    }

    /** An integral JSON number within `bits` (0: any size): 2.0 is 2, 2.5 is refused (never
     *  truncated), and a number out of range is refused (never wrapped). */
    static BigInteger integral(Object v, Type type, int bits) {
        Number n = number(v, type);
        BigInteger big;
        if (n instanceof Double) {
            double d = n.doubleValue();
            if (Double.isInfinite(d) || d != Math.rint(d))
                throw new Failure("TypeError", n + " is not an integer (type " + typeName(type) + "), and is never truncated");
            big = new BigDecimal(d).toBigInteger();
        } else {
            big = n instanceof BigInteger ? (BigInteger) n : BigInteger.valueOf(n.longValue());
        }
        if (bits > 0 && big.bitLength() >= bits)
            throw new Failure("TypeError", v + " does not fit in type " + typeName(type));
        return big;
    }

    static Class<?> rawClass(Type t) {
        if (t instanceof Class) return (Class<?>) t;
        if (t instanceof ParameterizedType) return (Class<?>) ((ParameterizedType) t).getRawType();
        if (t instanceof GenericArrayType) return Array.newInstance(rawClass(((GenericArrayType) t).getGenericComponentType()), 0).getClass();
        return Object.class;
    }

    static Type typeArg(Type t, int k) {
        if (t instanceof ParameterizedType) {
            Type a = ((ParameterizedType) t).getActualTypeArguments()[k];
            if (a instanceof WildcardType) return ((WildcardType) a).getUpperBounds()[0];
            return a;
        }
        return Object.class;
    }

    // ---- Java values -> JSON text
    static void write(StringBuilder b, Object v, int depth) {
        if (depth > MAX_DEPTH) throw new Failure("NotData", "the value is nested too deeply (or is cyclic)");
        if (v == null) { b.append("null"); return; }
        Class<?> c = v.getClass();
        if (c == Boolean.class) { b.append(((Boolean) v).booleanValue()); return; }
        if (c == Integer.class || c == Long.class || c == Short.class || c == Byte.class
                || c == BigInteger.class || c == java.util.concurrent.atomic.AtomicInteger.class
                || c == java.util.concurrent.atomic.AtomicLong.class) {
            b.append(c == BigInteger.class ? v.toString() : Long.toString(((Number) v).longValue()));
            return;
        }
        if (c == Double.class || c == Float.class || c == BigDecimal.class) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new Failure("NotData", "NaN and infinities are not JSON data");
            b.append(Double.toString(d));
            return;
        }
        if (c == String.class || c == Character.class) { string(b, v.toString()); return; }
        if (v instanceof Enum) { string(b, ((Enum<?>) v).name()); return; }
        if (c == Optional.class) { write(b, ((Optional<?>) v).orElse(null), depth + 1); return; }
        if (c.isArray()) {
            b.append('[');
            for (int k = 0; k < Array.getLength(v); k++) { if (k > 0) b.append(','); write(b, Array.get(v, k), depth + 1); }
            b.append(']');
            return;
        }
        if (v instanceof Iterable) {
            b.append('[');
            boolean first = true;
            for (Object o : (Iterable<?>) v) { if (!first) b.append(','); first = false; write(b, o, depth + 1); }
            b.append(']');
            return;
        }
        if (v instanceof Map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) b.append(',');
                first = false;
                Object k = e.getKey();
                if (!(k instanceof String || k instanceof Number || k instanceof Boolean || k instanceof Character || k instanceof Enum))
                    throw new Failure("NotData", "a map key of type " + (k == null ? "null" : k.getClass().getName()) + " is not JSON data");
                string(b, k instanceof Enum ? ((Enum<?>) k).name() : String.valueOf(k));
                b.append(':');
                write(b, e.getValue(), depth + 1);
            }
            b.append('}');
            return;
        }
        if (c.isRecord()) {
            b.append('{');
            RecordComponent[] parts = c.getRecordComponents();
            for (int k = 0; k < parts.length; k++) {
                if (k > 0) b.append(',');
                string(b, parts[k].getName());
                b.append(':');
                try {
                    Method m = parts[k].getAccessor();
                    m.setAccessible(true);
                    write(b, m.invoke(v), depth + 1);
                } catch (ReflectiveOperationException ex) {
                    throw new Failure("NotData", "cannot read record component " + parts[k].getName());
                }
            }
            b.append('}');
            return;
        }
        throw new Failure("NotData", "returned a " + c.getName() + ", which is not JSON data "
            + "(use arrays, collections, maps, records, strings, numbers, booleans or null)");
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char ch = s.charAt(k);
            switch (ch) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (ch < 0x20 || Character.isSurrogate(ch)) b.append(String.format("\\u%04x", (int) ch));
                    else b.append(ch);
            }
        }
        b.append('"');
    }

    static void emit(String line) {
        try {
            channel.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            channel.flush();
        } catch (Exception e) {
            Runtime.getRuntime().halt(70);
        }
    }

    // ---- finding and calling the solution
    static List<Class<?>> solutionClasses() {
        List<Class<?>> out = new ArrayList<>();
        for (String name : MpmCodes.CLASSES) {
            try { out.add(Class.forName(name, false, MpmDriver.class.getClassLoader())); }
            catch (ClassNotFoundException e) { /* not a class of the solution */ }
        }
        return out;
    }

    static List<Method> methodsNamed(Class<?> c, String name) {
        List<Method> out = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass())
            for (Method m : k.getDeclaredMethods())
                if (m.getName().equals(name) && !m.isSynthetic()) out.add(m);
        for (Method m : c.getMethods()) if (m.getName().equals(name) && !out.contains(m)) out.add(m);
        return out;
    }

    static Object[] arguments(Executable target, List<?> args) {
        Type[] types = target.getGenericParameterTypes();
        if (types.length != args.size())
            throw new Failure("TypeError", target.getName() + " takes " + types.length + " arguments, the test gives " + args.size());
        Object[] out = new Object[types.length];
        for (int k = 0; k < types.length; k++) {
            try {
                out[k] = convert(args.get(k), types[k]);
            } catch (Failure f) {
                throw new Failure(f.kind, "argument " + (k + 1) + " of " + target.getName() + ": " + f.getMessage());
            }
        }
        return out;
    }

    static <T extends Executable> T pick(List<T> candidates, int count, String what) {
        for (T c : candidates) if (c.getParameterCount() == count) { c.setAccessible(true); return c; }
        throw new Failure("LookupError", "no " + what + " taking " + count + " arguments");
    }

    static Object invoke(Method m, Object self, Object[] args) throws Throwable {
        try { return m.invoke(Modifier.isStatic(m.getModifiers()) ? null : self, args); }
        catch (InvocationTargetException e) { throw e.getCause(); }
    }

    static Object construct(Constructor<?> c, Object[] args) throws Throwable {
        try { return c.newInstance(args); }
        catch (InvocationTargetException e) { throw e.getCause(); }
    }

    static Object runTest(String entry, String kind, Map<?, ?> test) throws Throwable {
        if (test.containsKey("code")) {
            java.util.function.Supplier<Object> code = MpmCodes.CODES.get((String) test.get("code"));
            if (code == null) throw new Failure("LookupError", "the code snippet was not compiled in");
            return code.get();
        }
        if (test.containsKey("calls")) {
            Class<?> type = null;
            for (Class<?> c : solutionClasses()) if (c.getSimpleName().equals(entry)) type = c;
            if (type == null) type = Class.forName(entry);
            List<Object> results = new ArrayList<>();
            Object self = null;
            for (Object raw : (List<?>) test.get("calls")) {
                List<?> call = (List<?>) raw;
                String name = (String) call.get(0);
                List<?> args = (List<?>) call.get(1);
                if (name.equals("__init__")) {
                    Constructor<?> c = pick(Arrays.asList(type.getDeclaredConstructors()), args.size(), "constructor of " + entry);
                    self = construct(c, arguments(c, args));
                    results.add(null);
                } else {
                    if (self == null) throw new Failure("TypeError", "a method was called before __init__");
                    Method m = pick(methodsNamed(self.getClass(), name), args.size(), "method " + name);
                    StringBuilder b = new StringBuilder();
                    write(b, invoke(m, self, arguments(m, args)), 0);
                    results.add(new Raw(b.toString()));
                }
            }
            return results;
        }
        List<?> args = (List<?>) test.get("args");
        for (Class<?> c : solutionClasses()) {
            List<Method> found = methodsNamed(c, entry);
            if (found.isEmpty()) continue;
            Method m = pick(found, args.size(), "method " + entry);
            Object self = null;
            if (!Modifier.isStatic(m.getModifiers())) {
                Constructor<?> ctor = c.getDeclaredConstructor();
                ctor.setAccessible(true);
                self = construct(ctor, new Object[0]);
            }
            return invoke(m, self, arguments(m, args));
        }
        throw new Failure("LookupError", "the solution does not define " + entry);
    }

    /** A value already serialised (the result of one call). */
    static final class Raw {
        final String json;
        Raw(String json) { this.json = json; }
    }

    static String serialise(Object value) {
        StringBuilder b = new StringBuilder();
        if (value instanceof List && !((List<?>) value).isEmpty() && ((List<?>) value).stream().anyMatch(x -> x instanceof Raw)) {
            b.append('[');
            boolean first = true;
            for (Object o : (List<?>) value) {
                if (!first) b.append(',');
                first = false;
                b.append(o == null ? "null" : ((Raw) o).json);
            }
            b.append(']');
        } else {
            write(b, value, 0);
        }
        return b.toString();
    }

    static String errorText(Throwable t) {
        String m = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return m.length() > 2000 ? m.substring(0, 2000) : m;
    }

    static OutputStream openChannel() throws Exception {
        try {
            FileDescriptor fd = new FileDescriptor();
            Field f = FileDescriptor.class.getDeclaredField("fd");
            f.setAccessible(true);
            f.setInt(fd, 3);
            return new FileOutputStream(fd);
        } catch (Exception e) {
            return new FileOutputStream("/proc/self/fd/3");
        }
    }

    public static void main(String[] argv) throws Exception {
        channel = openChannel();
        Map<?, ?> spec = (Map<?, ?>) Reader.parse(Files.readString(Path.of("input.json")));
        String entry = (String) spec.get("entry_point");
        String kind = (String) spec.get("kind");
        List<?> tests = (List<?>) spec.get("tests");
        for (int index = 0; index < tests.size(); index++) {
            long start = System.nanoTime();
            String record;
            try {
                Map<?, ?> test = (Map<?, ?>) Reader.parse((String) tests.get(index));
                Object value = runTest(entry, kind, test);
                double seconds = (System.nanoTime() - start) / 1e9;
                record = "{\"type\":\"result\",\"index\":" + index + ",\"ok\":true,\"value\":" + serialise(value) + ",\"seconds\":" + seconds + "}";
            } catch (Throwable t) {
                double seconds = (System.nanoTime() - start) / 1e9;
                String type = t instanceof Failure ? ((Failure) t).kind
                    : t instanceof OutOfMemoryError ? "MemoryError" : t.getClass().getSimpleName();
                StringBuilder b = new StringBuilder();
                string(b, t instanceof Failure ? t.getMessage() : errorText(t));
                StringBuilder k = new StringBuilder();
                string(k, type);
                record = "{\"type\":\"result\",\"index\":" + index + ",\"ok\":false,\"error_type\":" + k + ",\"error\":" + b + ",\"seconds\":" + seconds + "}";
            }
            emit(record);
        }
        emit("{\"type\":\"end\",\"count\":" + tests.size() + "}");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
