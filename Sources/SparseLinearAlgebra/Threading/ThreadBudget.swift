import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads this process lets the library's numerical kernels use,
/// shared by every kernel running at the same time.
///
/// The library's parallel phases (subtrees and large fronts of the supernodal
/// factorizations) split their work into pieces fixed by the problem alone, then
/// ask the budget how many threads may execute those pieces right now. Two
/// simulations running concurrently in one process (for instance in a
/// `TaskGroup`) therefore share the cores instead of each assuming it owns all
/// of them, and their numbers do not depend on how many threads each was granted:
/// the pieces and the order of every floating-point operation inside them are
/// the same whether one thread or several run them.
///
/// Waiting threads block (no spinning): helper threads come from Dispatch's
/// pool and the caller waits on a kernel-level wait, so a busy machine slows a
/// run by the share of the cores it gets, not by threads spinning for a core
/// the scheduler gave away. For the same reason the BLAS runs single-threaded
/// (see ``configureBLAS()``): the library parallelizes above it.
///
/// The total is `SPINETRACTION_THREADS` when set (a positive integer, capped at
/// 64), else the online processors (at most 8).
///
/// ```swift
/// print(ThreadBudget.total)          // e.g. 2
/// ThreadBudget.parallelFor(4) { piece in work(piece) }
/// ```
public enum ThreadBudget {
    /// The variable that sets ``total``.
    public static let environmentVariable = "SPINETRACTION_THREADS"

    /// Threads the library may use at once in this process (≥ 1): `SPINETRACTION_THREADS`
    /// when it holds a positive integer (capped at 64), else the online processors, at most 8.
    /// Read once, at first use.
    public static var total: Int { state.total }

    /// Why `SPINETRACTION_THREADS` was not used, when it is set but not a positive
    /// integer (nil otherwise): the value is then ignored and ``total`` is the processor count.
    public static var configurationProblem: String? { state.problem }

    /// Threads currently granted to running kernels (callers included); for diagnostics.
    public static var inUse: Int { state.used.withLock { $0 } }

    final class State: Sendable {
        let total: Int
        let problem: String?
        let used = Mutex(0)
        init() {
            let cores = ThreadBudget.onlineProcessors
            var total = cores
            var problem: String? = nil
            if let raw = getenv(ThreadBudget.environmentVariable) {
                let text = String(cString: raw)
                if let value = Int(text.trimmingCharacters()), value >= 1 {
                    total = min(value, 64)
                } else {
                    problem = "\(ThreadBudget.environmentVariable) = \"\(text)\": expected a positive integer; using \(cores) (online processors)"
                }
            }
            self.total = total
            self.problem = problem
        }
    }

    static let state: State = {
        let s = State()
        configureBLAS()
        return s
    }()

    /// Online processors, at least 1 and at most 8.
    static var onlineProcessors: Int {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        #else
        return 1
        #endif
    }

    /// Asks for up to `wanted` threads, the caller's included, and returns how many were
    /// granted (give them back with ``release(_:)``). Never waits: the caller always gets
    /// itself (so the count in use may exceed ``total`` when more callers than cores run at
    /// once); helpers only while the budget has room.
    static func acquire(_ wanted: Int) -> Int {
        let s = state
        return s.used.withLock { used -> Int in
            let g = max(1, min(wanted, s.total - used))
            used += g
            return g
        }
    }

    /// Returns `threads` granted by ``acquire(_:)``.
    static func release(_ threads: Int) {
        state.used.withLock { $0 -= threads }
    }

    /// Runs `body(piece)` for every piece in `0..<pieces`, on as many threads as the
    /// budget grants right now (at most `maxThreads` and `pieces`), each thread taking
    /// the next piece not yet started. Pieces must be independent; which thread runs a
    /// piece is unspecified, its arithmetic must not depend on it. Returns when all are done.
    public static func parallelFor(_ pieces: Int, maxThreads: Int = .max, _ body: (Int) -> Void) {
        guard pieces > 0 else { return }
        if pieces == 1 || maxThreads <= 1 || state.total == 1 {
            for p in 0..<pieces { body(p) }
            return
        }
        let threads = acquire(min(pieces, maxThreads))
        defer { release(threads) }
        if threads == 1 {
            for p in 0..<pieces { body(p) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let work = UncheckedBody(body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while true {
                    let p = next.add(1, ordering: .relaxed).oldValue
                    if p >= pieces { break }
                    work.body(p)
                }
            }
        }
    }

    /// The non-`Sendable` body of ``parallelFor(_:maxThreads:_:)`` handed to Dispatch:
    /// the caller guarantees that pieces are independent.
    struct UncheckedBody: @unchecked Sendable {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    /// Makes the BLAS single-threaded, once per process, if it is OpenBLAS (found at run
    /// time by name, so any BLAS links): the library parallelizes above the BLAS with
    /// blocking hand-off, while OpenBLAS's own threads spin-wait between and inside calls
    /// — on a busy machine a threaded call waits for a worker the scheduler gave away
    /// (measured: bp05 0.8 s quiet, 11–20 s beside two busy loops). Called before the
    /// first factorization; never changed afterwards, so it cannot race a running one.
    /// Returns whether OpenBLAS was found.
    @discardableResult
    public static func configureBLAS() -> Bool { blasConfigured }

    static let blasConfigured: Bool = {
        #if canImport(Glibc)
        guard let handle = dlopen(nil, RTLD_NOW) else { return false }
        defer { dlclose(handle) }
        guard let symbol = dlsym(handle, "openblas_set_num_threads") else { return false }
        typealias SetThreads = @convention(c) (Int32) -> Void
        unsafeBitCast(symbol, to: SetThreads.self)(1)
        return true
        #else
        return false
        #endif
    }()
}

extension String {
    /// Without leading and trailing ASCII blanks.
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\n" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" { s.removeLast() }
        return String(s)
    }
}
