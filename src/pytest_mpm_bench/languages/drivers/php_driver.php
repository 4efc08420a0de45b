<?php
// pytest-mpm-bench's PHP driver: runs in the sandbox, next to solution.php.
//
// Reads input.json (inputs only; expected values never reach this process), runs each test
// against the solution and writes one JSON record per test, then an end record, to fd 3. The
// solution's stdout and stderr are diagnostics only. The solution is included from here (not
// concatenated), so its `declare(strict_types=1)` stays the first statement of its own file.
// `exit`/`die` cannot be caught in PHP: the shutdown function below then reports the test that
// was running as failed, and the end record is missing, so the run is never a pass.

namespace MpmDriver;

final class Driver
{
    /** @var resource */
    private static $channel;
    /** "load" while the solution loads, the test index while a test runs, null otherwise. */
    private static int|string|null $phase = null;
    private static float $started = 0.0;
    private static int $count = 0;

    public static function main(): void
    {
        $channel = fopen('php://fd/3', 'wb');
        if ($channel === false) {
            fwrite(STDERR, "mpm driver: cannot open the results channel\n");
            exit(70);
        }
        self::$channel = $channel;
        register_shutdown_function([self::class, 'shutdown']);
        $spec = json_decode((string) file_get_contents('input.json'), true, 512, JSON_THROW_ON_ERROR);
        $source = __DIR__ . '/solution.php';

        self::$phase = 'load';
        try {
            load_solution($source);
        } catch (\CompileError $e) {  // ParseError included: nothing of the solution ran
            self::$phase = null;
            self::emit(['type' => 'compile_error', 'message' => self::compileText($e),
                        'line' => $e->getLine()]);
            return;
        } catch (\Throwable $e) {
            self::$phase = null;
            self::emit(['type' => 'load_error', 'error_type' => self::errorType($e),
                        'message' => self::errorText($e)]);
            return;
        }
        self::$phase = null;

        $tests = $spec['tests'];
        self::$count = count($tests);
        foreach ($tests as $index => $raw) {
            // parsed per test: a solution that mutates its input hurts only itself
            $test = json_decode($raw, true, 512, JSON_THROW_ON_ERROR);
            self::$phase = $index;
            self::$started = hrtime(true) / 1e9;
            try {
                $value = self::runTest($spec['entry_point'], $test);
                $seconds = hrtime(true) / 1e9 - self::$started;
                self::$phase = null;
            } catch (\Throwable $e) {
                $seconds = hrtime(true) / 1e9 - self::$started;
                self::$phase = null;
                self::emit(['type' => 'result', 'index' => $index, 'ok' => false,
                            'error_type' => self::errorType($e), 'error' => self::errorText($e),
                            'seconds' => $seconds]);
                continue;
            }
            try {
                $line = json_encode(['type' => 'result', 'index' => $index, 'ok' => true,
                                     'value' => $value, 'seconds' => $seconds], self::FLAGS);
            } catch (\Throwable $e) {
                self::emit(['type' => 'result', 'index' => $index, 'ok' => false,
                            'error_type' => 'NotData', 'error' => self::errorText($e),
                            'seconds' => $seconds]);
                continue;
            }
            self::write($line);
        }
        self::emit(['type' => 'end', 'count' => count($tests)]);
    }

    private const FLAGS = JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR
        | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES;

    private static function runTest(string $entryPoint, array $test): mixed
    {
        if (array_key_exists('code', $test)) {
            // the snippet is the body of a function with the solution's names in scope
            return self::plain(make_case($test['code'])());
        }
        if (array_key_exists('args', $test)) {
            $callable = self::callable($entryPoint);
            self::checkIntegers(self::reflect($callable), $test['args'], $entryPoint);
            return self::plain($callable(...$test['args']));
        }
        $class = self::className($entryPoint);
        $results = [];
        $instance = null;
        foreach ($test['calls'] as [$name, $args]) {
            if ($name === '__init__') {
                self::checkIntegers((new \ReflectionClass($class))->getConstructor(), $args, $name);
                $instance = new $class(...$args);
                $results[] = null;
            } else {
                if ($instance === null) {
                    throw new \LogicException("'$name' called before __init__");
                }
                if (method_exists($instance, $name)) {
                    self::checkIntegers(new \ReflectionMethod($instance, $name), $args, $name);
                }
                $results[] = self::plain($instance->$name(...$args));
            }
        }
        return $results;
    }

    private static function reflect(callable $callable): \ReflectionFunctionAbstract
    {
        return is_array($callable) ? new \ReflectionMethod($callable[0], $callable[1])
                                   : new \ReflectionFunction($callable);
    }

    /**
     * A float with a fraction given to an `int` parameter is refused with the argument named:
     * PHP's coercive mode would truncate it (with only a deprecation notice). An integral float
     * (2.0) is passed, and PHP makes it the int 2.
     */
    private static function checkIntegers(?\ReflectionFunctionAbstract $fn, array $args, string $what): void
    {
        if ($fn === null) {
            return;
        }
        foreach ($fn->getParameters() as $k => $param) {
            $type = $param->getType();
            if (!array_key_exists($k, $args) || !is_float($args[$k])
                || !$type instanceof \ReflectionNamedType || $type->getName() !== 'int') {
                continue;
            }
            $value = $args[$k];
            if (!is_finite($value) || floor($value) !== $value) {
                throw new \TypeError('argument ' . ($k + 1) . " of $what: "
                    . json_encode($value, self::FLAGS) . ' is not an integer (type int), and is never truncated');
            }
        }
    }

    /** The solution's function `$name` (also inside a namespace), or a method of a class. */
    private static function callable(string $name): callable
    {
        if (function_exists($name)) {
            return $name;
        }
        $suffix = '\\' . strtolower($name);
        foreach (get_defined_functions()['user'] as $function) {
            if (str_ends_with($function, $suffix)) {
                return $function;
            }
        }
        foreach (['Solution', 'solution'] as $class) {
            if (class_exists($class) && method_exists($class, $name)) {
                $method = new \ReflectionMethod($class, $name);
                return $method->isStatic() ? [$class, $name] : [new $class(), $name];
            }
        }
        throw new \Error("the solution does not define the function $name()");
    }

    private static function className(string $name): string
    {
        if (class_exists($name)) {
            return $name;
        }
        $suffix = '\\' . strtolower($name);
        foreach (get_declared_classes() as $class) {
            if (str_ends_with(strtolower($class), $suffix)) {
                return $class;
            }
        }
        throw new \Error("the solution does not define the class $name");
    }

    /**
     * The value as plain data: scalars, arrays (lists become JSON arrays, other keys objects)
     * and objects by what json_encode makes of them (public properties, jsonSerialize()).
     * Encoding right away means a later mutation of a returned object does not change it.
     */
    private static function plain(mixed $value): mixed
    {
        if (is_float($value) && !is_finite($value)) {
            throw new NotData('returned ' . var_export($value, true) . ', which is not JSON data');
        }
        if (is_resource($value) || $value instanceof \Closure) {
            throw new NotData('returned a ' . get_debug_type($value) . ', which is not JSON data');
        }
        if (is_scalar($value) || $value === null) {
            return $value;
        }
        try {
            $json = json_encode($value, self::FLAGS, 200);
        } catch (\JsonException $e) {
            throw new NotData('the returned ' . get_debug_type($value) . ' is not JSON data: '
                              . $e->getMessage());
        }
        return json_decode($json, false, 512, JSON_THROW_ON_ERROR);
    }

    private static function errorType(\Throwable $e): string
    {
        if (self::missingPackage($e) !== null) {
            return 'MissingPackage';
        }
        return $e instanceof NotData ? 'NotData' : get_class($e);
    }

    /**
     * What the solution imports that this benchmark does not provide (PHP's own extensions
     * only): Composer's autoloader, or a class of a namespace the solution does not declare.
     */
    private static function missingPackage(\Throwable $e): ?string
    {
        $message = $e->getMessage();
        if (preg_match("~^Failed opening required '[^']*?(vendor/autoload\\.php)'~", $message, $m)) {
            return "$m[1] (Composer packages)";
        }
        if (!$e instanceof \Error || !preg_match('~^Class "(([^"\\\\]+)\\\\[^"]+)" not found~', $message, $m)) {
            return null;
        }
        $prefix = strtolower($m[2]) . '\\';
        foreach ([...get_declared_classes(), ...get_defined_functions()['user']] as $name) {
            if (str_starts_with(strtolower($name), $prefix)) {
                return null;  // the solution's own namespace: a plain mistake
            }
        }
        return $m[1];
    }

    private static function errorText(\Throwable $e): string
    {
        $missing = self::missingPackage($e);
        if ($missing !== null) {
            return "imports $missing, which this benchmark does not provide";
        }
        $file = $e->getFile();
        $where = match (true) {
            $file === __FILE__ => '',
            str_contains($file, "eval()'d code") => " (test code, line {$e->getLine()})",
            default => ' (' . basename($file) . ":{$e->getLine()})",
        };
        return substr(self::errorType($e) . ': ' . $e->getMessage() . $where, 0, 2000);
    }

    private static function compileText(\CompileError $e): string
    {
        $kind = $e instanceof \ParseError ? 'PHP Parse error' : 'PHP Fatal error';
        return substr("$kind: {$e->getMessage()} in " . basename($e->getFile())
                      . " on line {$e->getLine()}", 0, 2000);
    }

    /** Runs on exit()/die and after fatal errors; the solution's own shutdown functions follow. */
    public static function shutdown(): void
    {
        $phase = self::$phase;
        if ($phase === null) {
            return;
        }
        self::$phase = null;
        $error = error_get_last();
        $fatal = $error !== null && ($error['type'] & (E_ERROR | E_CORE_ERROR | E_COMPILE_ERROR
                                                       | E_USER_ERROR | E_PARSE));
        $message = $fatal ? "PHP Fatal error: {$error['message']} in " . basename($error['file'])
                            . " on line {$error['line']}"
                          : 'the solution called exit';
        $type = !$fatal ? 'Exit'
            : (str_contains($error['message'], 'Allowed memory size') ? 'MemoryError' : 'FatalError');
        if ($phase === 'load') {
            if ($fatal && $error['type'] === E_COMPILE_ERROR) {
                self::emit(['type' => 'compile_error', 'message' => $message, 'line' => $error['line']]);
            } else {
                self::emit(['type' => 'load_error', 'error_type' => $type, 'message' => $message]);
            }
            return;
        }
        self::emit(['type' => 'result', 'index' => $phase, 'ok' => false, 'error_type' => $type,
                    'error' => substr($message, 0, 2000),
                    'seconds' => hrtime(true) / 1e9 - self::$started]);
        if ($type === 'MemoryError') {
            // Running out of memory ends PHP; account for the tests it stopped, so the run is
            // judged memory_exceeded. After exit() the records stay missing (runtime_error).
            for ($index = $phase + 1; $index < self::$count; $index++) {
                self::emit(['type' => 'result', 'index' => $index, 'ok' => false,
                            'error_type' => 'NotRun',
                            'error' => 'not run: the solution ran out of memory in test '
                                       . ($phase + 1)]);
            }
            self::emit(['type' => 'end', 'count' => self::$count]);
        }
    }

    private static function emit(array $record): void
    {
        self::write(json_encode($record, self::FLAGS | JSON_INVALID_UTF8_SUBSTITUTE));
    }

    private static function write(string $line): void
    {
        $data = $line . "\n";
        while ($data !== '') {
            $written = @fwrite(self::$channel, $data);
            if ($written === false || $written === 0) {
                return;  // the channel is gone: the records are missing, never a pass
            }
            $data = substr($data, $written);
        }
        fflush(self::$channel);
    }
}

final class NotData extends \TypeError
{
}

// Outside the class, so neither the solution nor a snippet runs with the driver's class scope.
function load_solution(string $path): void
{
    require $path;
}

function make_case(string $code): \Closure
{
    // eval'd code starts in the global namespace, where the solution's names live
    return eval("return static function () {\n" . $code . "\n};");
}

Driver::main();
exit(0);
