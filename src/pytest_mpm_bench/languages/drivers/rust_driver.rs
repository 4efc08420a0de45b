// pytest-mpm-bench's Rust driver (module `mpm`): a small JSON reader, FromJson/ToJson traits
// and the record writer. The generated glue (after this module) decodes each test's arguments
// into the entry point's parameter types, calls it inside catch_unwind and writes one record
// per test, then an end record, to file descriptor 3.
#[allow(dead_code)]
pub mod mpm {
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
    use std::fmt::Display;
    use std::hash::Hash;
    use std::io::Write;

    #[derive(Clone, Debug)]
    pub enum Json {
        Null,
        Bool(bool),
        Int(i128),
        Float(f64),
        Str(String),
        Arr(Vec<Json>),
        Obj(Vec<(String, Json)>),
    }

    pub fn parse(text: &str) -> Result<Json, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let v = value(&chars, &mut i)?;
        Ok(v)
    }

    fn ws(c: &[char], i: &mut usize) {
        while *i < c.len() && c[*i].is_whitespace() {
            *i += 1;
        }
    }

    fn value(c: &[char], i: &mut usize) -> Result<Json, String> {
        ws(c, i);
        if *i >= c.len() {
            return Err("unexpected end of JSON".into());
        }
        match c[*i] {
            '{' => {
                *i += 1;
                let mut out = Vec::new();
                ws(c, i);
                if c[*i] == '}' {
                    *i += 1;
                    return Ok(Json::Obj(out));
                }
                loop {
                    ws(c, i);
                    let k = match value(c, i)? {
                        Json::Str(s) => s,
                        _ => return Err("object key is not a string".into()),
                    };
                    ws(c, i);
                    *i += 1; // ':'
                    out.push((k, value(c, i)?));
                    ws(c, i);
                    *i += 1;
                    if c[*i - 1] == '}' {
                        return Ok(Json::Obj(out));
                    }
                }
            }
            '[' => {
                *i += 1;
                let mut out = Vec::new();
                ws(c, i);
                if c[*i] == ']' {
                    *i += 1;
                    return Ok(Json::Arr(out));
                }
                loop {
                    out.push(value(c, i)?);
                    ws(c, i);
                    *i += 1;
                    if c[*i - 1] == ']' {
                        return Ok(Json::Arr(out));
                    }
                }
            }
            '"' => {
                *i += 1;
                let mut s = String::new();
                loop {
                    let ch = c[*i];
                    *i += 1;
                    match ch {
                        '"' => return Ok(Json::Str(s)),
                        '\\' => {
                            let e = c[*i];
                            *i += 1;
                            match e {
                                'n' => s.push('\n'),
                                't' => s.push('\t'),
                                'r' => s.push('\r'),
                                'b' => s.push('\u{8}'),
                                'f' => s.push('\u{c}'),
                                'u' => {
                                    let hex: String = c[*i..*i + 4].iter().collect();
                                    *i += 4;
                                    let mut code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                                    if (0xD800..0xDC00).contains(&code) && c.get(*i) == Some(&'\\') {
                                        let low: String = c[*i + 2..*i + 6].iter().collect();
                                        *i += 6;
                                        let low = u32::from_str_radix(&low, 16).map_err(|e| e.to_string())?;
                                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                    }
                                    s.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                }
                                other => s.push(other),
                            }
                        }
                        other => s.push(other),
                    }
                }
            }
            't' => { *i += 4; Ok(Json::Bool(true)) }
            'f' => { *i += 5; Ok(Json::Bool(false)) }
            'n' => { *i += 4; Ok(Json::Null) }
            _ => {
                let start = *i;
                while *i < c.len() && "+-0123456789.eE".contains(c[*i]) {
                    *i += 1;
                }
                let num: String = c[start..*i].iter().collect();
                if num.contains(['.', 'e', 'E']) {
                    num.parse::<f64>().map(Json::Float).map_err(|e| e.to_string())
                } else {
                    num.parse::<i128>().map(Json::Int).map_err(|e| e.to_string())
                }
            }
        }
    }

    pub fn write(out: &mut String, v: &Json) {
        match v {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Float(f) => {
                if !f.is_finite() {
                    out.push_str("null");
                } else if f.fract() == 0.0 && f.abs() < 1e16 {
                    out.push_str(&format!("{:.1}", f));
                } else {
                    out.push_str(&format!("{:?}", f));
                }
            }
            Json::Str(s) => string(out, s),
            Json::Arr(items) => {
                out.push('[');
                for (k, item) in items.iter().enumerate() {
                    if k > 0 { out.push(','); }
                    write(out, item);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (k, (key, item)) in fields.iter().enumerate() {
                    if k > 0 { out.push(','); }
                    string(out, key);
                    out.push(':');
                    write(out, item);
                }
                out.push('}');
            }
        }
    }

    fn string(out: &mut String, s: &str) {
        out.push('"');
        for ch in s.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }

    pub fn emit(line: &str) {
        use std::os::unix::io::FromRawFd;
        let mut channel = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(3) });
        let data = format!("{}\n", line);
        if channel.write_all(data.as_bytes()).is_err() {
            std::process::exit(70);
        }
    }

    pub fn quote(s: &str) -> String {
        let mut out = String::new();
        string(&mut out, s);
        out
    }

    // ---- JSON -> Rust values
    pub trait FromJson: Sized {
        fn from_json(v: &Json) -> Result<Self, String>;
    }

    /// A JSON value in a message: its text when short, else its kind.
    pub fn shown(v: &Json) -> String {
        match v {
            Json::Arr(_) => "a list".into(),
            Json::Obj(_) => "an object".into(),
            other => { let mut s = String::new(); write(&mut s, other); s }
        }
    }

    /// Rust's "any" (there is no serde_json here): a JSON value as the type its literal has in
    /// Rust: an integer is an i32 (i64, then i128, when it does not fit), a number with a
    /// fraction or exponent an f64, a string a String, null (), a list a Vec<Box<dyn Any>>, an
    /// object a HashMap<String, Box<dyn Any>>.
    impl FromJson for Box<dyn std::any::Any> {
        fn from_json(v: &Json) -> Result<Self, String> {
            Ok(match v {
                Json::Null => Box::new(()),
                Json::Bool(b) => Box::new(*b),
                Json::Int(n) => match (i32::try_from(*n), i64::try_from(*n)) {
                    (Ok(x), _) => Box::new(x),
                    (_, Ok(x)) => Box::new(x),
                    _ => Box::new(*n),
                },
                Json::Float(f) => Box::new(*f),
                Json::Str(s) => Box::new(s.clone()),
                Json::Arr(items) => Box::new(items.iter().map(Self::from_json).collect::<Result<Vec<Self>, _>>()?),
                Json::Obj(fields) => Box::new(fields.iter().map(|(k, x)| Ok((k.clone(), Self::from_json(x)?)))
                    .collect::<Result<HashMap<String, Self>, String>>()?),
            })
        }
    }

    macro_rules! ints {
        ($($t:ty),*) => {$(
            impl FromJson for $t {
                fn from_json(v: &Json) -> Result<Self, String> {
                    // 2.0 is 2; 2.5 is refused, never truncated; out of range is refused
                    let fits = |n: i128| <$t>::try_from(n).map_err(|_| format!("{} does not fit in type {}", n, stringify!($t)));
                    match v {
                        Json::Int(n) => fits(*n),
                        Json::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 => fits(*f as i128),
                        Json::Float(f) => Err(format!("{} is not an integer (type {}), and is never truncated", f, stringify!($t))),
                        other => Err(format!("expected type {}, got {}", stringify!($t), shown(other))),
                    }
                }
            }
            impl ToJson for $t {
                fn to_json(&self) -> Result<Json, String> { Ok(Json::Int(*self as i128)) }
            }
        )*};
    }
    ints!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, usize);

    impl FromJson for f64 {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v {
                Json::Int(n) => Ok(*n as f64),
                Json::Float(f) => Ok(*f),
                other => Err(format!("expected a number, got {:?}", other)),
            }
        }
    }
    impl FromJson for f32 {
        fn from_json(v: &Json) -> Result<Self, String> { f64::from_json(v).map(|f| f as f32) }
    }
    impl FromJson for bool {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v { Json::Bool(b) => Ok(*b), other => Err(format!("expected a bool, got {:?}", other)) }
        }
    }
    impl FromJson for String {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v { Json::Str(s) => Ok(s.clone()), other => Err(format!("expected a string, got {:?}", other)) }
        }
    }
    impl FromJson for char {
        fn from_json(v: &Json) -> Result<Self, String> {
            let s = String::from_json(v)?;
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(format!("expected one character, got {:?}", s)),
            }
        }
    }
    impl<T: FromJson> FromJson for Vec<T> {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v { Json::Arr(items) => items.iter().map(T::from_json).collect(), other => Err(format!("expected a list, got {:?}", other)) }
        }
    }
    impl<T: FromJson> FromJson for VecDeque<T> {
        fn from_json(v: &Json) -> Result<Self, String> { Vec::<T>::from_json(v).map(VecDeque::from) }
    }
    impl<T: FromJson + Eq + Hash> FromJson for HashSet<T> {
        fn from_json(v: &Json) -> Result<Self, String> { Vec::<T>::from_json(v).map(|x| x.into_iter().collect()) }
    }
    impl<T: FromJson + Ord> FromJson for BTreeSet<T> {
        fn from_json(v: &Json) -> Result<Self, String> { Vec::<T>::from_json(v).map(|x| x.into_iter().collect()) }
    }
    impl<T: FromJson> FromJson for Option<T> {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v { Json::Null => Ok(None), other => T::from_json(other).map(Some) }
        }
    }
    impl<T: FromJson> FromJson for Box<T> {
        fn from_json(v: &Json) -> Result<Self, String> { T::from_json(v).map(Box::new) }
    }
    fn key<K: FromJson>(k: &str) -> Result<K, String> {
        K::from_json(&Json::Str(k.to_string())).or_else(|_| K::from_json(&parse(k)?))
    }
    impl<K: FromJson + Eq + Hash, V: FromJson> FromJson for HashMap<K, V> {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v {
                Json::Obj(fields) => fields.iter().map(|(k, x)| Ok((key::<K>(k)?, V::from_json(x)?))).collect(),
                other => Err(format!("expected an object, got {:?}", other)),
            }
        }
    }
    impl<K: FromJson + Ord, V: FromJson> FromJson for BTreeMap<K, V> {
        fn from_json(v: &Json) -> Result<Self, String> {
            match v {
                Json::Obj(fields) => fields.iter().map(|(k, x)| Ok((key::<K>(k)?, V::from_json(x)?))).collect(),
                other => Err(format!("expected an object, got {:?}", other)),
            }
        }
    }
    macro_rules! tuples {
        ($(($($n:tt $t:ident),+)),*) => {$(
            impl<$($t: FromJson),+> FromJson for ($($t,)+) {
                fn from_json(v: &Json) -> Result<Self, String> {
                    match v {
                        Json::Arr(items) if items.len() == [$($n),+].len() => Ok(($($t::from_json(&items[$n])?,)+)),
                        other => Err(format!("expected a tuple, got {:?}", other)),
                    }
                }
            }
            impl<$($t: ToJson),+> ToJson for ($($t,)+) {
                fn to_json(&self) -> Result<Json, String> { Ok(Json::Arr(vec![$(self.$n.to_json()?),+])) }
            }
        )*};
    }
    tuples!((0 A), (0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D));

    // ---- Rust values -> JSON
    pub trait ToJson {
        fn to_json(&self) -> Result<Json, String>;
    }
    impl ToJson for () {
        fn to_json(&self) -> Result<Json, String> { Ok(Json::Null) }
    }
    impl ToJson for f64 {
        fn to_json(&self) -> Result<Json, String> {
            if self.is_finite() { Ok(Json::Float(*self)) } else { Err("NaN and infinities are not JSON data".into()) }
        }
    }
    impl ToJson for f32 {
        fn to_json(&self) -> Result<Json, String> { (*self as f64).to_json() }
    }
    impl ToJson for bool {
        fn to_json(&self) -> Result<Json, String> { Ok(Json::Bool(*self)) }
    }
    impl ToJson for char {
        fn to_json(&self) -> Result<Json, String> { Ok(Json::Str(self.to_string())) }
    }
    impl ToJson for str {
        fn to_json(&self) -> Result<Json, String> { Ok(Json::Str(self.to_string())) }
    }
    impl ToJson for String {
        fn to_json(&self) -> Result<Json, String> { Ok(Json::Str(self.clone())) }
    }
    impl<T: ToJson + ?Sized> ToJson for &T {
        fn to_json(&self) -> Result<Json, String> { (**self).to_json() }
    }
    impl<T: ToJson + ?Sized> ToJson for &mut T {
        fn to_json(&self) -> Result<Json, String> { (**self).to_json() }
    }
    impl<T: ToJson + ?Sized> ToJson for Box<T> {
        fn to_json(&self) -> Result<Json, String> { (**self).to_json() }
    }
    impl<T: ToJson> ToJson for [T] {
        fn to_json(&self) -> Result<Json, String> { self.iter().map(|x| x.to_json()).collect::<Result<_, _>>().map(Json::Arr) }
    }
    impl<T: ToJson, const N: usize> ToJson for [T; N] {
        fn to_json(&self) -> Result<Json, String> { self[..].to_json() }
    }
    impl<T: ToJson> ToJson for Vec<T> {
        fn to_json(&self) -> Result<Json, String> { self[..].to_json() }
    }
    impl<T: ToJson> ToJson for VecDeque<T> {
        fn to_json(&self) -> Result<Json, String> { self.iter().map(|x| x.to_json()).collect::<Result<_, _>>().map(Json::Arr) }
    }
    impl<T: ToJson> ToJson for BTreeSet<T> {
        fn to_json(&self) -> Result<Json, String> { self.iter().map(|x| x.to_json()).collect::<Result<_, _>>().map(Json::Arr) }
    }
    impl<T: ToJson> ToJson for HashSet<T> {
        fn to_json(&self) -> Result<Json, String> { self.iter().map(|x| x.to_json()).collect::<Result<_, _>>().map(Json::Arr) }
    }
    impl<T: ToJson> ToJson for Option<T> {
        fn to_json(&self) -> Result<Json, String> {
            match self { None => Ok(Json::Null), Some(x) => x.to_json() }
        }
    }
    /// `Ok(v)` -> `{"Ok": v}`, `Err(e)` -> `{"Err": "<e as Display>"}`.
    impl<T: ToJson, E: Display> ToJson for Result<T, E> {
        fn to_json(&self) -> Result<Json, String> {
            match self {
                Ok(x) => Ok(Json::Obj(vec![("Ok".into(), x.to_json()?)])),
                Err(e) => Ok(Json::Obj(vec![("Err".into(), Json::Str(e.to_string()))])),
            }
        }
    }
    /// A Box<dyn Any> is read back through the types it may hold (those FromJson gives, and
    /// the other integer, float and collection types a solution may box).
    impl ToJson for dyn std::any::Any {
        fn to_json(&self) -> Result<Json, String> {
            macro_rules! held {
                ($($t:ty),*) => {$( if let Some(x) = self.downcast_ref::<$t>() { return x.to_json(); } )*};
            }
            held!(i32, i64, i128, isize, i8, i16, u8, u16, u32, u64, usize, f64, f32, bool,
                  char, String, &'static str, (), Vec<Box<dyn std::any::Any>>,
                  HashMap<String, Box<dyn std::any::Any>>, Vec<i32>, Vec<i64>, Vec<f64>,
                  Vec<String>, Vec<bool>);
            Err("returned a Box<dyn Any> holding a type that is not JSON data here".into())
        }
    }
    fn key_text(k: Json) -> Result<String, String> {
        match k {
            Json::Str(s) => Ok(s),
            Json::Int(_) | Json::Bool(_) | Json::Float(_) => { let mut s = String::new(); write(&mut s, &k); Ok(s) }
            _ => Err("a map key is not a string, number or bool".into()),
        }
    }
    impl<K: ToJson, V: ToJson> ToJson for HashMap<K, V> {
        fn to_json(&self) -> Result<Json, String> {
            let mut fields = Vec::new();
            for (k, v) in self { fields.push((key_text(k.to_json()?)?, v.to_json()?)); }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Json::Obj(fields))
        }
    }
    impl<K: ToJson, V: ToJson> ToJson for BTreeMap<K, V> {
        fn to_json(&self) -> Result<Json, String> {
            let mut fields = Vec::new();
            for (k, v) in self { fields.push((key_text(k.to_json()?)?, v.to_json()?)); }
            Ok(Json::Obj(fields))
        }
    }

    pub fn arg<T: FromJson>(args: &[Json], k: usize, name: &str) -> Result<T, String> {
        T::from_json(&args[k]).map_err(|e| format!("argument {} of {}: {}", k + 1, name, e))
    }

    pub fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
        if let Some(s) = p.downcast_ref::<&str>() { s.to_string() }
        else if let Some(s) = p.downcast_ref::<String>() { s.clone() }
        else { "panic".to_string() }
    }

    /// Runs every test of input.json through `run` (which gets the parsed payload).
    pub fn main(run: fn(&Json) -> Result<Json, String>) {
        std::panic::set_hook(Box::new(|_| {}));
        let text = std::fs::read_to_string("input.json").unwrap_or_default();
        let spec = parse(&text).unwrap_or(Json::Null);
        let tests: Vec<String> = match &spec {
            Json::Obj(f) => f.iter().find(|(k, _)| k == "tests").map(|(_, v)| Vec::<String>::from_json(v).unwrap_or_default()).unwrap_or_default(),
            _ => Vec::new(),
        };
        for (index, raw) in tests.iter().enumerate() {
            let start = std::time::Instant::now();
            let payload = parse(raw).unwrap_or(Json::Null);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&payload)));
            let seconds = start.elapsed().as_secs_f64();
            let record = match outcome {
                Ok(Ok(value)) => {
                    let mut v = String::new();
                    write(&mut v, &value);
                    format!("{{\"type\":\"result\",\"index\":{},\"ok\":true,\"value\":{},\"seconds\":{:?}}}", index, v, seconds)
                }
                Ok(Err(e)) => format!("{{\"type\":\"result\",\"index\":{},\"ok\":false,\"error_type\":\"TypeError\",\"error\":{},\"seconds\":{:?}}}", index, quote(&e), seconds),
                Err(p) => format!("{{\"type\":\"result\",\"index\":{},\"ok\":false,\"error_type\":\"Panic\",\"error\":{},\"seconds\":{:?}}}", index, quote(&format!("panicked: {}", panic_text(&*p))), seconds),
            };
            emit(&record);
        }
        emit(&format!("{{\"type\":\"end\",\"count\":{}}}", tests.len()));
        std::process::exit(0);
    }

    pub fn field<'a>(v: &'a Json, name: &str) -> Option<&'a Json> {
        match v { Json::Obj(f) => f.iter().find(|(k, _)| k == name).map(|(_, x)| x), _ => None }
    }
}
