// pytest-mpm-bench's Go driver: compiled with the solution (package main) and the generated
// mpm_entry.go, which sets mpmEntry (the entry function, or New<Type> for a class) and
// mpmCodes (one func() any per `code` snippet, keyed by the snippet's text).
//
// Reads input.json (inputs only), decodes each test's arguments by reflection into the entry
// point's parameter types, runs it and writes one JSON record per test, then an end record, to
// file descriptor 3. Values are turned into plain JSON here: nil slices and maps become [] and
// {}, an error becomes its message, a struct the object of its exported fields. The rules (an
// integer in an interface{} is an int, 2.5 is never truncated into an int, a rune is a
// one-character string) are tabled in docs/values.md.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const mpmMaxDepth = 200

var mpmChannel = os.NewFile(3, "mpm-channel")

type mpmSpec struct {
	EntryPoint string   `json:"entry_point"`
	Kind       string   `json:"kind"`
	Tests      []string `json:"tests"`
}

type mpmPayload struct {
	Args  []json.RawMessage   `json:"args"`
	Calls [][]json.RawMessage `json:"calls"`
	Code  *string             `json:"code"`
}

type mpmFailure struct {
	kind, msg string
}

func (f mpmFailure) Error() string { return f.msg }

// mpmField keeps struct fields in declaration order.
type mpmField struct {
	key   string
	value any
}
type mpmObject []mpmField

var mpmErrorType = reflect.TypeOf((*error)(nil)).Elem()

func mpmPlain(v reflect.Value, depth int) (any, error) {
	if depth > mpmMaxDepth {
		return nil, mpmFailure{"NotData", "the value is nested too deeply (or is cyclic)"}
	}
	if !v.IsValid() {
		return nil, nil
	}
	if v.Type().Implements(mpmErrorType) && v.Kind() != reflect.Struct {
		if (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
			return nil, nil
		}
		return v.Interface().(error).Error(), nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return mpmPlain(v.Elem(), depth+1)
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int32:
		if mpmRunes {
			return mpmRune(v.Int())
		}
		return v.Int(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint(), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, mpmFailure{"NotData", "NaN and infinities are not JSON data"}
		}
		return f, nil
	case reflect.String:
		return v.String(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			item, err := mpmPlain(v.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, item)
		}
		return out, nil
	case reflect.Map:
		out := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			key, err := mpmKey(iter.Key())
			if err != nil {
				return nil, err
			}
			item, err := mpmPlain(iter.Value(), depth+1)
			if err != nil {
				return nil, err
			}
			out[key] = item
		}
		return out, nil
	case reflect.Struct:
		out := mpmObject{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			field := t.Field(i)
			if !field.IsExported() {
				continue
			}
			name := field.Name
			if tag, ok := field.Tag.Lookup("json"); ok {
				tagName := strings.Split(tag, ",")[0]
				if tagName == "-" {
					continue
				}
				if tagName != "" {
					name = tagName
				}
			}
			item, err := mpmPlain(v.Field(i), depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, mpmField{name, item})
		}
		return out, nil
	}
	return nil, mpmFailure{"NotData", fmt.Sprintf("returned a %s, which is not JSON data", v.Type())}
}

// mpmRune is a rune (int32) as the one-character string it stands for.
func mpmRune(n int64) (string, error) {
	if n < 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
		return "", mpmFailure{"NotData", fmt.Sprintf("the rune %d is not a character", n)}
	}
	return string(rune(n)), nil
}

func mpmKey(k reflect.Value) (string, error) {
	switch k.Kind() {
	case reflect.Interface:
		if k.IsNil() {
			return "", mpmFailure{"NotData", "a nil map key is not JSON data"}
		}
		return mpmKey(k.Elem())
	case reflect.String:
		return k.String(), nil
	case reflect.Int32:
		if mpmRunes {
			return mpmRune(k.Int())
		}
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(k.Uint(), 10), nil
	case reflect.Bool:
		return strconv.FormatBool(k.Bool()), nil
	case reflect.Float32, reflect.Float64:
		return mpmFloat(k.Float()), nil
	}
	return "", mpmFailure{"NotData", fmt.Sprintf("a map key of type %s is not JSON data", k.Type())}
}

func mpmFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

func mpmWrite(buf *bytes.Buffer, value any) {
	switch x := value.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case uint64:
		buf.WriteString(strconv.FormatUint(x, 10))
	case float64:
		buf.WriteString(mpmFloat(x))
	case string:
		mpmString(buf, x)
	case []any:
		buf.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			mpmWrite(buf, item)
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fields := make(mpmObject, 0, len(keys))
		for _, k := range keys {
			fields = append(fields, mpmField{k, x[k]})
		}
		mpmWrite(buf, fields)
	case mpmObject:
		buf.WriteByte('{')
		for i, field := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			mpmString(buf, field.key)
			buf.WriteByte(':')
			mpmWrite(buf, field.value)
		}
		buf.WriteByte('}')
	}
}

func mpmString(buf *bytes.Buffer, s string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	data, _ := json.Marshal(s)
	buf.Write(data)
}

func mpmEmit(fields mpmObject) {
	var buf bytes.Buffer
	mpmWrite(&buf, fields)
	buf.WriteByte('\n')
	data := buf.Bytes()
	for len(data) > 0 {
		n, err := mpmChannel.Write(data)
		if err != nil {
			os.Exit(70)
		}
		data = data[n:]
	}
}

func mpmDecodeArgs(fn reflect.Value, raw []json.RawMessage, what string) ([]reflect.Value, error) {
	t := fn.Type()
	n := t.NumIn()
	if (!t.IsVariadic() && len(raw) != n) || (t.IsVariadic() && len(raw) < n-1) {
		return nil, mpmFailure{"TypeError", fmt.Sprintf("%s takes %d arguments, the test gives %d", what, n, len(raw))}
	}
	args := make([]reflect.Value, len(raw))
	for i, data := range raw {
		var pt reflect.Type
		if t.IsVariadic() && i >= n-1 {
			pt = t.In(n - 1).Elem()
		} else {
			pt = t.In(i)
		}
		value, err := mpmParse(data)
		if err == nil {
			args[i], err = mpmConvert(value, pt, "", 0)
		}
		if err != nil {
			return nil, mpmFailure{"TypeError", fmt.Sprintf("argument %d of %s: %v", i+1, what, err)}
		}
	}
	return args, nil
}

var mpmUnmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// mpmParse reads JSON keeping numbers as text (json.Number), so an integer stays an integer.
func mpmParse(data []byte) (any, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		return nil, err
	}
	return value, nil
}

// mpmNatural is a JSON value as Go would write it in an interface{}: an integer that fits is
// an int (a larger one, or one with a fraction or exponent, a float64), an array a
// []interface{}, an object a map[string]interface{}.
func mpmNatural(value any) any {
	switch x := value.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 0); err == nil {
			return int(n)
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = mpmNatural(item)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = mpmNatural(item)
		}
		return out
	}
	return value
}

func mpmDescribe(value any) string {
	switch x := value.(type) {
	case nil:
		return "null"
	case json.Number:
		return string(x)
	case string:
		data, _ := json.Marshal(x)
		return string(data)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "a list"
	}
	return "an object"
}

func mpmMismatch(value any, t reflect.Type, at string) error {
	return fmt.Errorf("%sexpected type %s, got %s", at, t, mpmDescribe(value))
}

// mpmInteger is an integral JSON number as an int64 (2.0 is 2; 2.5 is refused, never truncated).
func mpmInteger(n json.Number, t reflect.Type, at string) (int64, error) {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, fmt.Errorf("%sexpected type %s, got %q", at, t, string(n))
	}
	if f != math.Trunc(f) {
		return 0, fmt.Errorf("%s%s is not an integer (type %s), and is never truncated", at, n, t)
	}
	if f < -9.223372036854775808e18 || f >= 9.223372036854775808e18 {
		return 0, fmt.Errorf("%s%s does not fit in type %s", at, n, t)
	}
	return int64(f), nil
}

// mpmConvert turns a parsed JSON value into a value of type t (docs/values.md has the table).
func mpmConvert(value any, t reflect.Type, at string, depth int) (reflect.Value, error) {
	if depth > mpmMaxDepth {
		return reflect.Value{}, fmt.Errorf("%sthe value is nested too deeply", at)
	}
	if t.Kind() != reflect.Interface && (t.Implements(mpmUnmarshalerType) ||
		reflect.PointerTo(t).Implements(mpmUnmarshalerType)) {
		data, _ := json.Marshal(value) // a type with its own JSON decoding keeps it
		ptr := reflect.New(t)
		if err := json.Unmarshal(data, ptr.Interface()); err != nil {
			return reflect.Value{}, fmt.Errorf("%s%v", at, err)
		}
		return ptr.Elem(), nil
	}
	if value == nil {
		switch t.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map:
			return reflect.Zero(t), nil
		}
		return reflect.Value{}, mpmMismatch(value, t, at)
	}
	out := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Interface:
		natural := reflect.ValueOf(mpmNatural(value))
		if !natural.Type().AssignableTo(t) {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		out.Set(natural)
	case reflect.Pointer:
		inner, err := mpmConvert(value, t.Elem(), at, depth+1)
		if err != nil {
			return reflect.Value{}, err
		}
		out = reflect.New(t.Elem())
		out.Elem().Set(inner)
	case reflect.Bool:
		b, ok := value.(bool)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		out.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := value.(string); ok && t.Kind() == reflect.Int32 && utf8.RuneCountInString(s) == 1 {
			r, _ := utf8.DecodeRuneInString(s) // a rune parameter takes a one-character string
			out.SetInt(int64(r))
			break
		}
		n, ok := value.(json.Number)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		i, err := mpmInteger(n, t, at)
		if err != nil {
			return reflect.Value{}, err
		}
		if out.OverflowInt(i) {
			return reflect.Value{}, fmt.Errorf("%s%s does not fit in type %s", at, n, t)
		}
		out.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := value.(json.Number)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil {
			i, ierr := mpmInteger(n, t, at)
			if ierr != nil {
				return reflect.Value{}, ierr
			}
			if i < 0 {
				return reflect.Value{}, fmt.Errorf("%s%s is negative (type %s)", at, n, t)
			}
			u = uint64(i)
		}
		if out.OverflowUint(u) {
			return reflect.Value{}, fmt.Errorf("%s%s does not fit in type %s", at, n, t)
		}
		out.SetUint(u)
	case reflect.Float32, reflect.Float64:
		n, ok := value.(json.Number)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || out.OverflowFloat(f) {
			return reflect.Value{}, fmt.Errorf("%s%s does not fit in type %s", at, n, t)
		}
		out.SetFloat(f)
	case reflect.String:
		s, ok := value.(string)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		out.SetString(s)
	case reflect.Slice, reflect.Array:
		if s, ok := value.(string); ok && t.Kind() == reflect.Slice &&
			(t.Elem().Kind() == reflect.Uint8 || t.Elem().Kind() == reflect.Int32) {
			// a string for a []byte or []rune: its bytes or its characters
			if t.Elem().Kind() == reflect.Uint8 {
				return reflect.ValueOf([]byte(s)).Convert(t), nil
			}
			return reflect.ValueOf([]rune(s)).Convert(t), nil
		}
		items, ok := value.([]any)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		if t.Kind() == reflect.Array && len(items) != t.Len() {
			return reflect.Value{}, fmt.Errorf("%sa list of %d items cannot be a %s", at, len(items), t)
		}
		if t.Kind() == reflect.Slice {
			out = reflect.MakeSlice(t, len(items), len(items))
		}
		for i, item := range items {
			v, err := mpmConvert(item, t.Elem(), fmt.Sprintf("%s[%d]: ", strings.TrimSuffix(at, ": "), i), depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			out.Index(i).Set(v)
		}
	case reflect.Map:
		fields, ok := value.(map[string]any)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		out = reflect.MakeMapWithSize(t, len(fields))
		for k, item := range fields {
			key, err := mpmMapKey(k, t.Key(), at, depth)
			if err != nil {
				return reflect.Value{}, err
			}
			v, err := mpmConvert(item, t.Elem(), fmt.Sprintf("%s[%q]: ", strings.TrimSuffix(at, ": "), k), depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			out.SetMapIndex(key, v)
		}
	case reflect.Struct:
		fields, ok := value.(map[string]any)
		if !ok {
			return reflect.Value{}, mpmMismatch(value, t, at)
		}
		for k, item := range fields {
			index, found := mpmStructField(t, k)
			if !found {
				continue // as encoding/json: unknown keys are ignored
			}
			v, err := mpmConvert(item, t.Field(index).Type, fmt.Sprintf("%s.%s: ", strings.TrimSuffix(at, ": "), k), depth+1)
			if err != nil {
				return reflect.Value{}, err
			}
			out.Field(index).Set(v)
		}
	default:
		return reflect.Value{}, mpmMismatch(value, t, at)
	}
	return out, nil
}

// mpmMapKey turns an object key (always a string in JSON) into a map key of type t: a number
// for integer and float keys, a character for rune keys, the string itself for interface{}.
func mpmMapKey(k string, t reflect.Type, at string, depth int) (reflect.Value, error) {
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		out := reflect.New(t).Elem()
		if !reflect.TypeOf(k).AssignableTo(t) && t.Kind() == reflect.Interface {
			return reflect.Value{}, fmt.Errorf("%sthe key %q is not a %s", at, k, t)
		}
		if t.Kind() == reflect.String {
			out.SetString(k)
		} else {
			out.Set(reflect.ValueOf(k))
		}
		return out, nil
	case reflect.Bool:
		if k == "true" || k == "false" {
			return reflect.ValueOf(k == "true").Convert(t), nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if t.Kind() == reflect.Int32 && mpmRunes && utf8.RuneCountInString(k) == 1 {
			return mpmConvert(k, t, at, depth+1) // a rune key is the character, as written back
		}
		return mpmConvert(json.Number(k), t, fmt.Sprintf("%skey %q: ", strings.TrimSuffix(at, ": "), k), depth+1)
	}
	return reflect.Value{}, fmt.Errorf("%sthe key %q is not a %s", at, k, t)
}

// mpmStructField finds the exported field a key names (json tag first, then the field name,
// case-insensitively, as encoding/json does).
func mpmStructField(t reflect.Type, key string) (int, bool) {
	fallback := -1
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		if !field.IsExported() {
			continue
		}
		name := field.Name
		if tag, ok := field.Tag.Lookup("json"); ok {
			tagName := strings.Split(tag, ",")[0]
			if tagName == "-" {
				continue
			}
			if tagName != "" {
				name = tagName
			}
		}
		if name == key {
			return i, true
		}
		if fallback < 0 && strings.EqualFold(name, key) {
			fallback = i
		}
	}
	return fallback, fallback >= 0
}

// mpmResult turns a call's results into one value: none -> null, one -> it, several -> a list
// (an error among them becomes its message, or null).
func mpmResult(out []reflect.Value) (any, error) {
	switch len(out) {
	case 0:
		return nil, nil
	case 1:
		return mpmPlain(out[0], 0)
	}
	return mpmPlain(reflect.ValueOf(mpmValues(out)), 0)
}

func mpmValues(out []reflect.Value) []any {
	values := make([]any, len(out))
	for i, v := range out {
		if v.Type().Implements(mpmErrorType) && v.Kind() == reflect.Interface && !v.IsNil() {
			values[i] = v.Interface().(error).Error()
		} else {
			values[i] = v.Interface()
		}
	}
	return values
}

func mpmMethod(instance reflect.Value, name string) (reflect.Value, bool) {
	if m := instance.MethodByName(name); m.IsValid() {
		return m, true
	}
	if name != "" {
		r, size := utf8.DecodeRuneInString(name)
		if m := instance.MethodByName(string(unicode.ToUpper(r)) + name[size:]); m.IsValid() {
			return m, true
		}
	}
	return reflect.Value{}, false
}

func mpmRunCalls(entry reflect.Value, calls [][]json.RawMessage, spec mpmSpec) (any, error) {
	results := make([]any, 0, len(calls))
	var instance reflect.Value
	for _, call := range calls {
		if len(call) != 2 {
			return nil, mpmFailure{"TypeError", "a call is [name, [args...]]"}
		}
		var name string
		var raw []json.RawMessage
		if err := json.Unmarshal(call[0], &name); err != nil {
			return nil, mpmFailure{"TypeError", "a call's name is a string"}
		}
		if err := json.Unmarshal(call[1], &raw); err != nil {
			return nil, mpmFailure{"TypeError", "a call's arguments are a list"}
		}
		var fn reflect.Value
		if name == "__init__" {
			fn = entry
		} else {
			if !instance.IsValid() {
				return nil, mpmFailure{"TypeError", "a method was called before __init__"}
			}
			m, ok := mpmMethod(instance, name)
			if !ok {
				return nil, mpmFailure{"AttributeError", fmt.Sprintf("%s has no exported method %s", instance.Type(), name)}
			}
			fn = m
		}
		args, err := mpmDecodeArgs(fn, raw, name)
		if err != nil {
			return nil, err
		}
		out := fn.Call(args)
		if name == "__init__" {
			if len(out) == 0 {
				return nil, mpmFailure{"TypeError", "New" + spec.EntryPoint + " returns nothing"}
			}
			if len(out) == 2 && out[1].Type().Implements(mpmErrorType) && !out[1].IsNil() {
				return nil, mpmFailure{"ConstructorError", out[1].Interface().(error).Error()}
			}
			instance = out[0]
			if instance.Kind() != reflect.Pointer && instance.Kind() != reflect.Interface {
				ptr := reflect.New(instance.Type()) // so pointer-receiver methods are callable
				ptr.Elem().Set(instance)
				instance = ptr
			}
			results = append(results, nil)
			continue
		}
		value, err := mpmResult(out)
		if err != nil {
			return nil, err
		}
		results = append(results, value)
	}
	return results, nil
}

func mpmRunTest(spec mpmSpec, raw string) (value any, err error) {
	defer func() {
		if r := recover(); r != nil {
			kind := "Panic"
			if _, ok := r.(runtime.Error); ok {
				kind = "RuntimeError"
			}
			msg := fmt.Sprint(r)
			if strings.Contains(msg, "out of memory") {
				kind = "MemoryError"
			}
			value, err = nil, mpmFailure{kind, "panic: " + msg}
		}
	}()
	var payload mpmPayload
	if err := json.Unmarshal([]byte(raw), &payload); err != nil {
		return nil, mpmFailure{"TypeError", "bad test payload: " + err.Error()}
	}
	if payload.Code != nil {
		code, ok := mpmCodes[*payload.Code]
		if !ok {
			return nil, mpmFailure{"LookupError", "the code snippet was not compiled in"}
		}
		return mpmPlain(reflect.ValueOf(code()), 0)
	}
	if mpmEntry == nil {
		return nil, mpmFailure{"LookupError", "no entry point was compiled in"}
	}
	entry := reflect.ValueOf(mpmEntry)
	if payload.Calls != nil {
		return mpmRunCalls(entry, payload.Calls, spec)
	}
	args, err := mpmDecodeArgs(entry, payload.Args, spec.EntryPoint)
	if err != nil {
		return nil, err
	}
	return mpmResult(entry.Call(args))
}

func main() {
	runtime.GOMAXPROCS(2)
	debug.SetMaxThreads(64)
	data, err := os.ReadFile("input.json")
	if err != nil {
		mpmEmit(mpmObject{{"type", "load_error"}, {"error_type", "IOError"}, {"message", err.Error()}})
		return
	}
	var spec mpmSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		mpmEmit(mpmObject{{"type", "load_error"}, {"error_type", "IOError"}, {"message", err.Error()}})
		return
	}
	for index, raw := range spec.Tests {
		start := time.Now()
		value, err := mpmRunTest(spec, raw)
		seconds := time.Since(start).Seconds()
		if err != nil {
			kind := "Error"
			if f, ok := err.(mpmFailure); ok {
				kind = f.kind
			}
			msg := err.Error()
			if len(msg) > 2000 {
				msg = msg[:2000]
			}
			mpmEmit(mpmObject{{"type", "result"}, {"index", int64(index)}, {"ok", false},
				{"error_type", kind}, {"error", msg}, {"seconds", seconds}})
			continue
		}
		mpmEmit(mpmObject{{"type", "result"}, {"index", int64(index)}, {"ok", true},
			{"value", value}, {"seconds", seconds}})
	}
	mpmEmit(mpmObject{{"type", "end"}, {"count", int64(len(spec.Tests))}})
	os.Exit(0)
}
