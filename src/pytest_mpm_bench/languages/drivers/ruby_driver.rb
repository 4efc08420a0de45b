# pytest-mpm-bench's Ruby driver: runs in the sandbox, next to solution.rb.
#
# Reads input.json (inputs only; expected values never reach this process), runs each test
# against the solution and writes one JSON record per test, then an end record, to fd 3. The
# solution's stdout and stderr are diagnostics only. Every core method the driver relies on after
# the solution is loaded is captured first (as an UnboundMethod), so a solution that reopens
# String, Integer, IO or JSON (to_json, JSON.generate, $stdout.write) changes nothing here;
# results are written by the driver's own JSON emitter from those captured methods.

require "json"

module MpmDriver
  CHANNEL = IO.new(3, "wb", autoclose: false)
  MAX_DEPTH = 200
  UTF8 = Encoding::UTF_8
  BINARY = Encoding::BINARY
  ASCII = Encoding::US_ASCII
  IS_A = Module.instance_method(:===)
  CLASS_OF = Kernel.instance_method(:class)
  MODULE_NAME = Module.instance_method(:name)
  SEND = BasicObject.instance_method(:__send__)
  PUBLIC_SEND = Kernel.instance_method(:public_send)
  RESPOND = Kernel.instance_method(:respond_to?)
  INT_TO_S = Integer.instance_method(:to_s)
  FLOAT_TO_S = Float.instance_method(:to_s)
  FLOAT_NAN = Float.instance_method(:nan?)
  FLOAT_INFINITE = Float.instance_method(:infinite?)
  SYM_NAME = Symbol.instance_method(:to_s)
  LOAD_PATH_OF = LoadError.instance_method(:path)
  STR_B = String.instance_method(:b)
  STR_FORCE = String.instance_method(:force_encoding)
  STR_ENCODE = String.instance_method(:encode)
  STR_ENCODING = String.instance_method(:encoding)
  STR_VALID = String.instance_method(:valid_encoding?)
  STR_GSUB = String.instance_method(:gsub)
  STR_APPEND = String.instance_method(:<<)
  STR_BYTESIZE = String.instance_method(:bytesize)
  STR_BYTESLICE = String.instance_method(:byteslice)
  STR_SLICE = String.instance_method(:[])
  STR_EQUAL = String.instance_method(:==)
  STR_TO_SYM = String.instance_method(:to_sym)
  STR_MATCH = String.instance_method(:match?)
  ARRAY_AT = Array.instance_method(:[])
  ARRAY_EACH = Array.instance_method(:each)
  ARRAY_SIZE = Array.instance_method(:size)
  HASH_EACH = Hash.instance_method(:each_pair)
  HASH_KEY = Hash.instance_method(:key?)
  HASH_GET = Hash.instance_method(:[])
  EXC_MESSAGE = Exception.instance_method(:message)
  SYSWRITE = IO.instance_method(:syswrite)
  FLUSH = IO.instance_method(:flush)
  PARSE = JSON.method(:parse)
  CLOCK = Process.method(:clock_gettime)
  MONOTONIC = Process::CLOCK_MONOTONIC
  EXIT_NOW = Process.method(:exit!)
  COMPILE = RubyVM::InstructionSequence.method(:compile)
  ISEQ_EVAL = RubyVM::InstructionSequence.instance_method(:eval)
  CONST_GET = Module.instance_method(:const_get)
  CONST_DEFINED = Module.instance_method(:const_defined?)
  METHOD_DEFINED = Module.instance_method(:method_defined?)
  PRIVATE_DEFINED = Module.instance_method(:private_method_defined?)
  TOP = TOPLEVEL_BINDING.receiver
  ESCAPES = { '"' => '\\"', "\\" => "\\\\", "\n" => "\\n", "\r" => "\\r", "\t" => "\\t",
              "\b" => "\\b", "\f" => "\\f", "\u2028" => "\\u2028", "\u2029" => "\\u2029" }
  (0..31).each { |code| ESCAPES[code.chr] ||= format("\\u%04x", code) }
  ESCAPES.freeze
  SPECIAL = /["\\\u0000-\u001f\u2028\u2029]/.freeze

  class NotData < TypeError; end

  # Process creation is never part of a solution (the sandbox bounds it anyway): refuse it
  # here, so a fork cannot run a second copy of this loop.
  def self.forbid_processes
    refuse = proc { |*| raise NotImplementedError, "process creation is disabled in the benchmark" }
    [Kernel, Kernel.singleton_class, Process.singleton_class].each do |mod|
      %i[fork spawn system exec ` daemon].each do |name|
        next unless mod.method_defined?(name) || mod.private_method_defined?(name)

        hidden = mod.private_method_defined?(name)
        mod.send(:define_method, name, &refuse)
        mod.send(:private, name) if hidden
      end
    end
    IO.singleton_class.send(:define_method, :popen, &refuse)
  end

  # Ruby runs with --disable-gems (150 ms less per run); the bundled gems a solution may
  # require (prime, matrix, ...) are plain libraries, so their lib dirs are enough.
  def self.bundled_gems
    require "rbconfig"
    config = RbConfig::CONFIG
    pattern = File.join(config["rubylibprefix"], "gems", config["ruby_version"], "gems", "*", "lib")
    $LOAD_PATH.concat(Dir.glob(pattern))
  end

  # -- records --------------------------------------------------------------------------------

  def self.emit(record)
    emit_raw(json(record, +"", 0))
  end

  def self.emit_raw(text)
    data = STR_B.bind_call(text)
    STR_APPEND.bind_call(data, "\n")
    until STR_BYTESIZE.bind_call(data).zero?
      written = SYSWRITE.bind_call(CHANNEL, data)
      data = STR_BYTESLICE.bind_call(data, written, STR_BYTESIZE.bind_call(data))
    end
  rescue SystemCallError, IOError
    nil # the channel is gone: the records are missing, never a pass
  end

  # Plain JSON from the value's core data, read through the captured core methods.
  def self.json(value, out, depth)
    raise NotData, "the value is nested too deeply (or is cyclic)" if depth > MAX_DEPTH

    if IS_A.bind_call(NilClass, value) then STR_APPEND.bind_call(out, "null")
    elsif IS_A.bind_call(TrueClass, value) then STR_APPEND.bind_call(out, "true")
    elsif IS_A.bind_call(FalseClass, value) then STR_APPEND.bind_call(out, "false")
    elsif IS_A.bind_call(Integer, value) then STR_APPEND.bind_call(out, INT_TO_S.bind_call(value))
    elsif IS_A.bind_call(Float, value) then STR_APPEND.bind_call(out, float_text(value))
    elsif IS_A.bind_call(String, value) then string(value, out)
    elsif IS_A.bind_call(Symbol, value) then string(SYM_NAME.bind_call(value), out)
    elsif IS_A.bind_call(Array, value)
      STR_APPEND.bind_call(out, "[")
      first = true
      ARRAY_EACH.bind_call(value) do |item|
        STR_APPEND.bind_call(out, ",") unless first
        first = false
        json(item, out, depth + 1)
      end
      STR_APPEND.bind_call(out, "]")
    elsif IS_A.bind_call(Hash, value)
      STR_APPEND.bind_call(out, "{")
      first = true
      HASH_EACH.bind_call(value) do |key, item|
        STR_APPEND.bind_call(out, ",") unless first
        first = false
        string(key_text(key), out)
        STR_APPEND.bind_call(out, ":")
        json(item, out, depth + 1)
      end
      STR_APPEND.bind_call(out, "}")
    else
      raise NotData, "returned #{type_name(value)}, which is not JSON data (use Array, Hash, " \
                     "String, Symbol, Integer, Float, true, false or nil)"
    end
    out
  end

  def self.float_text(value)
    return "NaN" if FLOAT_NAN.bind_call(value)

    infinite = FLOAT_INFINITE.bind_call(value)
    return infinite.positive? ? "Infinity" : "-Infinity" if infinite

    FLOAT_TO_S.bind_call(value)
  end

  def self.key_text(key)
    if IS_A.bind_call(String, key) then key
    elsif IS_A.bind_call(Symbol, key) then SYM_NAME.bind_call(key)
    elsif IS_A.bind_call(Integer, key) then INT_TO_S.bind_call(key)
    elsif IS_A.bind_call(Float, key) then float_text(key)
    elsif IS_A.bind_call(NilClass, key) then ""
    elsif IS_A.bind_call(TrueClass, key) then "true"
    elsif IS_A.bind_call(FalseClass, key) then "false"
    else raise NotData, "a Hash key of type #{type_name(key)} is not JSON data"
    end
  end

  def self.string(value, out)
    text = STR_B.bind_call(value) # a plain copy, whatever the class
    encoding = STR_ENCODING.bind_call(value)
    if encoding == UTF8 || encoding == BINARY || encoding == ASCII
      STR_FORCE.bind_call(text, UTF8)
    else
      text = STR_ENCODE.bind_call(STR_FORCE.bind_call(text, encoding), UTF8)
    end
    raise NotData, "returned a string that is not valid UTF-8" unless STR_VALID.bind_call(text)

    STR_APPEND.bind_call(out, '"')
    STR_APPEND.bind_call(out, STR_GSUB.bind_call(text, SPECIAL, ESCAPES))
    STR_APPEND.bind_call(out, '"')
  end

  def self.type_name(value)
    MODULE_NAME.bind_call(CLASS_OF.bind_call(value)) || "an anonymous class's instance"
  rescue StandardError
    "an object"
  end

  def self.error_type(exc)
    return "MemoryError" if IS_A.bind_call(NoMemoryError, exc)
    return "NotData" if IS_A.bind_call(NotData, exc)
    return "MissingPackage" if missing(exc)

    type_name(exc)
  end

  # The library a `require` could not find (the standard library and bundled gems only).
  def self.missing(exc)
    return nil unless IS_A.bind_call(LoadError, exc)

    path = LOAD_PATH_OF.bind_call(exc)
    IS_A.bind_call(String, path) && !path.empty? ? path : nil
  rescue StandardError
    nil
  end

  def self.error_text(exc)
    name = missing(exc)
    return "requires #{name}, which this benchmark does not provide" if name

    message = begin
      EXC_MESSAGE.bind_call(exc).to_s
    rescue Exception # rubocop:disable Lint/RescueException - a rigged message is still an error
      "(no message)"
    end
    text = "#{error_type(exc)}: #{message}"
    STR_SLICE.bind_call(text, 0, 2000)
  end

  # -- running ---------------------------------------------------------------------------------

  def self.target(entry_point)
    if STR_MATCH.bind_call(entry_point, /\A[A-Z]/) && CONST_DEFINED.bind_call(Object, entry_point)
      callee = CONST_GET.bind_call(Object, entry_point)
      return ->(*args) { PUBLIC_SEND.bind_call(callee, :call, *args) }
    end
    name = STR_TO_SYM.bind_call(entry_point)
    if METHOD_DEFINED.bind_call(Object, name) || PRIVATE_DEFINED.bind_call(Object, name)
      return ->(*args) { SEND.bind_call(TOP, name, *args) }
    end
    if CONST_DEFINED.bind_call(Object, :Solution)
      solution = CONST_GET.bind_call(Object, :Solution)
      if IS_A.bind_call(Class, solution) && METHOD_DEFINED.bind_call(solution, name)
        return ->(*args) { PUBLIC_SEND.bind_call(solution.new, name, *args) }
      end
    end
    raise NoMethodError, "the solution does not define the method `#{entry_point}'"
  end

  def self.run_test(entry_point, test)
    if HASH_KEY.bind_call(test, "code")
      # the snippet is the body of a lambda with the solution loaded; it returns a value
      code = HASH_GET.bind_call(test, "code")
      snippet = TOPLEVEL_BINDING.eval("lambda do\n#{code}\nend", "<test>", 0)
      return json(snippet.call, +"", 0)
    end
    if HASH_KEY.bind_call(test, "args")
      return json(target(entry_point).call(*HASH_GET.bind_call(test, "args")), +"", 0)
    end

    klass = CONST_GET.bind_call(Object, entry_point)
    instance = nil
    out = +"["
    ARRAY_EACH.bind_call(HASH_GET.bind_call(test, "calls")) do |name, args|
      STR_APPEND.bind_call(out, ",") unless STR_EQUAL.bind_call(out, "[")
      if STR_EQUAL.bind_call(name, "__init__")
        instance = klass.new(*args)
        STR_APPEND.bind_call(out, "null")
      else
        # serialised right away: a later call that mutates the result must not change it
        json(PUBLIC_SEND.bind_call(instance, STR_TO_SYM.bind_call(name), *args), out, 1)
      end
    end
    STR_APPEND.bind_call(out, "]")
  end

  def self.now
    CLOCK.call(MONOTONIC)
  end

  def self.load(path)
    source = File.read(path, encoding: "UTF-8")
    begin
      iseq = COMPILE.call(source, "solution.rb", path, 1)
    rescue SyntaxError => e
      emit({ "type" => "compile_error", "message" => STR_SLICE.bind_call(e.message, 0, 2000) })
      return false
    end
    begin
      ISEQ_EVAL.bind_call(iseq)
    rescue Exception => e # rubocop:disable Lint/RescueException - exit while loading too
      emit({ "type" => "load_error", "error_type" => error_type(e), "message" => error_text(e) })
      return false
    end
    true
  end

  def self.main
    spec = JSON.parse(File.read("input.json", encoding: "UTF-8"))
    tests = spec.fetch("tests")
    entry_point = spec.fetch("entry_point")
    bundled_gems
    forbid_processes
    return unless load(File.expand_path("solution.rb"))

    count = ARRAY_SIZE.bind_call(tests)
    index = 0
    while index < count
      # parsed per test: a solution that mutates its input hurts only itself
      test = PARSE.call(ARRAY_AT.bind_call(tests, index))
      started = now
      begin
        value = run_test(entry_point, test)
        record = +"{\"type\":\"result\",\"index\":"
        STR_APPEND.bind_call(record, INT_TO_S.bind_call(index))
        STR_APPEND.bind_call(record, ",\"ok\":true,\"value\":")
        STR_APPEND.bind_call(record, value)
        STR_APPEND.bind_call(record, ",\"seconds\":")
        STR_APPEND.bind_call(record, float_text(now - started))
        STR_APPEND.bind_call(record, "}")
        emit_raw(record)
      rescue Exception => e # rubocop:disable Lint/RescueException - SystemExit too
        emit({ "type" => "result", "index" => index, "ok" => false,
               "error_type" => error_type(e), "error" => error_text(e),
               "seconds" => now - started })
      end
      index += 1
    end
    emit({ "type" => "end", "count" => count })
  end

end

MpmDriver.main
begin
  MpmDriver::FLUSH.bind_call($stdout)
  MpmDriver::FLUSH.bind_call($stderr)
rescue Exception # rubocop:disable Lint/RescueException - the solution may have closed them
  nil
end
# skip at_exit hooks and finalizers: the solution's must not run after the end record
MpmDriver::EXIT_NOW.call(0)
