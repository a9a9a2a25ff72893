import Foundation
import MetaJobCore

/// Evaluates a VDK DAG step whose job list is built by code, with the `python3` on the user's PATH (the DAG
/// job's own interpreter), and returns the list as a Python literal for `PythonLiteralReader`.
///
/// The step runs as VDK would run it, except that `vdk` is a stand-in package: `DagInput().run_dag(jobs)`
/// records `jobs` instead of starting anything, and other VDK names are inert. Nothing else is faked.
enum PythonEvaluator {
    /// How long a step may take to build its list.
    static let timeoutSeconds = 60.0

    static func evaluate(stepPath: String, line: Int) -> Result<[UInt8], ValidationIssue> {
        func issue(_ reason: String, _ fix: String) -> Result<[UInt8], ValidationIssue> {
            .failure(ValidationIssue(kind: .syntax, reason: reason, countermeasure: fix, line: line))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, stepPath]
        process.currentDirectoryURL = URL(fileURLWithPath: stepPath).deletingLastPathComponent()
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("metajob-python-\(getpid())-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        guard let errorHandle = try? FileHandle(forWritingTo: errors) else {
            return issue("Cannot evaluate the job list at line \(line): no temporary file for Python's errors.",
                         "Check that the temporary directory is writable.")
        }
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return issue("The job list at line \(line) is built by code, and python3 could not be started to evaluate it: \(error).",
                         "Put python3 on PATH (the interpreter the DAG job runs with), or write the list as a literal.")
        }
        try? errorHandle.close()
        let deadline = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: deadline)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        // The user's frames only: the stand-in's own frame (`File "<string>"`) says nothing to them.
        let tail = stderr.split(separator: "\n").filter { !$0.contains("File \"<string>\"") }.suffix(6).joined(separator: "\n")
        if process.terminationReason == .uncaughtSignal {
            return issue("Evaluating the job list at line \(line) with python3 did not finish within \(Int(timeoutSeconds)) s.",
                         "Make the step build its list without waiting for anything, or write the list as a literal.")
        }
        if process.terminationStatus == 127 && stderr.contains("python3") {
            return issue("The job list at line \(line) is built by code, and python3 is not on PATH to evaluate it.",
                         "Put python3 on PATH (the interpreter the DAG job runs with), or write the list as a literal.")
        }
        guard process.terminationStatus == 0 else {
            return issue("python3 could not evaluate the job list at line \(line): \(tail.isEmpty ? "exit \(process.terminationStatus)" : tail)",
                         "Fix the step so that `python3 \(stepPath)` can build the list, or write the list as a literal.")
        }
        return .success([UInt8](data))
    }

    /// Runs the step with a stand-in `vdk` package and prints the job list as a Python literal.
    static let script = #"""
import importlib.abc, importlib.machinery, math, os, sys, types
captured = []
class _Inert:
    def __init__(self, *a, **k): pass
    def __call__(self, *a, **k): return _Inert()
    def __getattr__(self, name): return _Inert()
    def __iter__(self): return iter(())
    def __bool__(self): return False
class DagInput:
    def __init__(self, *a, **k): pass
    def run_dag(self, jobs, *a, **k): captured.append(jobs)
class _Module(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"): raise AttributeError(name)
        return DagInput if name == "DagInput" else _Inert
class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name == "vdk" or name.startswith("vdk."):
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None
    def create_module(self, spec):
        module = _Module(spec.name)
        module.__path__ = []
        return module
    def exec_module(self, module): pass
sys.meta_path.insert(0, _Finder())
path = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
scope = {"__name__": "__vdk_step__", "__file__": path}
with open(path, encoding="utf-8") as f:
    exec(compile(f.read(), path, "exec"), scope)
if not captured and callable(scope.get("run")):
    scope["run"](_Inert())
jobs = captured[-1] if captured else scope.get("JOBS_RUN_ORDER")
if jobs is None:
    sys.exit("the step neither called run_dag(...) nor set JOBS_RUN_ORDER")
def literal(v, where):
    if v is None or isinstance(v, bool): return repr(v)
    if isinstance(v, float) and not math.isfinite(v): return "float(%r)" % repr(v)
    if isinstance(v, (int, float, str)): return repr(v)
    if isinstance(v, (list, tuple)): return "[" + ", ".join(literal(x, where) for x in v) + "]"
    if isinstance(v, dict): return "{" + ", ".join(literal(k, where) + ": " + literal(x, where) for k, x in v.items()) + "}"
    sys.exit("the job list holds a %s (%r), which VDK cannot pass on (json.dumps)" % (type(v).__name__, v))
sys.stdout.write(literal(jobs, "jobs"))
"""#
}
