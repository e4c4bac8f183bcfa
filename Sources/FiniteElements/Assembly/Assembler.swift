import Dispatch
import Foundation
import Synchronization
import SparseLinearAlgebra

/// An element kernel: fills the element matrix and vector of one cell.
///
/// - Parameters:
///   - cell: the cell index.
///   - matrix: `n × n` row-major, `matrix[i * n + j]`, zeroed by the caller,
///     `n = DofMap.localDofCount(cell)`; rows/columns in the cell's local dof order
///     (field, node, component). Must be symmetric for symmetric assembly.
///   - vector: length `n`, zeroed; the element's right-hand side (e.g. external
///     load, or minus the internal force for a Newton residual).
///
/// Kernels run concurrently on several threads: they must not mutate shared state.
package typealias CellKernel = @Sendable (_ cell: Int, _ matrix: UnsafeMutableBufferPointer<Double>, _ vector: UnsafeMutableBufferPointer<Double>) throws -> Void

/// A kernel that only fills the element vector (length `n`, zeroed).
package typealias CellVectorKernel = @Sendable (_ cell: Int, _ vector: UnsafeMutableBufferPointer<Double>) throws -> Void

/// An element kernel with a per-thread ``CellScratch`` (cached ``CellValues`` and
/// temporary buffers, so the kernel allocates nothing per cell). Buffers as in ``CellKernel``.
package typealias ScratchCellKernel = @Sendable (_ cell: Int, _ scratch: CellScratch, _ matrix: UnsafeMutableBufferPointer<Double>, _ vector: UnsafeMutableBufferPointer<Double>) throws -> Void

/// A face kernel: fills the element matrix and vector of the face's *cell*
/// (same size and local order as for ``CellKernel``; usually only the rows of the
/// face nodes, `CellType.faceNodes(face.face)`, are non-zero).
package typealias FaceKernel = @Sendable (_ face: FaceRef, _ scratch: CellScratch, _ matrix: UnsafeMutableBufferPointer<Double>, _ vector: UnsafeMutableBufferPointer<Double>) throws -> Void

/// Per-thread workspace of an assembly worker: cached ``CellValues``/``FaceValues`` and
/// scratch buffers. Owned by one worker; never shared between threads.
public final class CellScratch {
    private var cellValues: [Int: CellValues] = [:]
    private var faceValues: [Int: FaceValues] = [:]
    private var buffers: [UnsafeMutableBufferPointer<Double>] = []

    /// An empty workspace.
    public init() {}

    deinit { for b in buffers { b.deallocate() } }

    /// ``CellValues`` of `cell` for the rule of total degree `degree` (default: the cell type's),
    /// reinitialised in place. Do not keep the returned value past the kernel call.
    public func values(mesh: Mesh, cell: Int, degree: Int? = nil) throws -> CellValues {
        let t = mesh.cellType(cell)
        let d = degree ?? t.defaultQuadratureDegree
        let key = CellType.allCases.firstIndex(of: t)! * 1000 + d
        if cellValues[key] == nil { cellValues[key] = CellValues(cellType: t, degree: d) }
        try cellValues[key]!.reinit(mesh: mesh, cell: cell)
        return cellValues[key]!
    }

    /// ``FaceValues`` of `face` for the face rule of degree `degree` (default: the face type's).
    public func values(mesh: Mesh, face: FaceRef, degree: Int? = nil) throws -> FaceValues {
        let t = mesh.faceType(face)
        let d = degree ?? t.defaultQuadratureDegree
        let key = FaceType.allCases.firstIndex(of: t)! * 1000 + d
        if faceValues[key] == nil { faceValues[key] = FaceValues(faceType: t, degree: d) }
        try faceValues[key]!.reinit(mesh: mesh, face: face)
        return faceValues[key]!
    }

    /// Scratch buffer number `slot` with at least `count` doubles (contents unspecified;
    /// valid until this scratch is released).
    package func buffer(_ slot: Int, count: Int) -> UnsafeMutableBufferPointer<Double> {
        while buffers.count <= slot { buffers.append(UnsafeMutableBufferPointer<Double>.allocate(capacity: 0)) }
        if buffers[slot].count < count {
            buffers[slot].deallocate()
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            b.initialize(repeating: 0)
            buffers[slot] = b
        }
        return UnsafeMutableBufferPointer(rebasing: buffers[slot][0..<count])
    }
}

/// Assembles symmetric global systems over a fixed pattern.
///
/// Built once from a ``DofMap`` and an ``EquationNumbering``: the lower-triangle
/// pattern (``SymmetricMatrix``, CSC) of the unknowns, and a scatter map so that
/// assembly of cell `c` is `values[scatter[k]] += ke[k]` over its local lower
/// triangle. Constrained dofs are eliminated: their rows and columns are not in
/// the matrix, and with `prescribed` values the columns are lifted to the
/// right-hand side: `rhs[i] += fe[a] − Σ_b ke[a, b] g[b]` over constrained `b`.
///
/// Both cores are used. By default (``AssemblyStrategy/ordered``) the element matrices
/// and vectors are computed concurrently into per-cell storage and then added into the
/// global system by one thread in cell order, so the assembled matrix and right-hand side
/// are bitwise those of a one-thread assembly, whatever the thread count. The threads come
/// from `ThreadBudget` (`SPINETRACTION_THREADS`, else the online processors), at most
/// ``threadCount``; the BLAS stays single-threaded, so assembly never oversubscribes the
/// cores with the solver's threads. The other strategies write straight into the matrix
/// from several threads, which changes the summation order with the thread count (still
/// deterministic for a given count). ``AssemblyStrategy/partitioned`` splits the cells into
/// one contiguous chunk per thread; cells that touch no node of another chunk are assembled
/// in parallel, the interface layer afterwards on one thread. Measured on a 103k-unknown
/// hex20 elasticity problem (8000 cells, 27-point kernel, release build, 2 cores, best of 5
/// in a quiet moment): serial 0.220 s; partitioned 0.130 s (1.70×, CPU +5 %); colouring
/// 0.132 s (1.67×, CPU +7 %, the matrix is streamed once per colour); per-thread buffers
/// 0.149 s (1.47×, CPU +20 %, zeroing and summing a copy of the values). The scatter alone
/// (constant kernel) costs 5 µs per cell — with ``AssemblyStrategy/ordered`` it is the
/// serial part.
///
/// ```swift
/// let assembler = try Assembler(dofMap: dofs, numbering: eqs)
/// var K = assembler.makeMatrix()
/// var F = [Double](repeating: 0, count: eqs.count)
/// try assembler.assemble(matrix: &K, rhs: &F, prescribed: bc.values) { cell, ke, fe in … }
/// let u = try LinearSolvers.makeDefault(for: eqs.count, kind: .symmetricPositiveDefinite) …
/// ```
public final class Assembler: Sendable {
    /// The dof numbering.
    public let dofMap: DofMap
    /// The unknowns.
    public let numbering: EquationNumbering
    /// Symmetric (lower-triangle) or general (full CSR) assembly.
    public let structure: MatrixStructure
    /// The lower-triangle pattern (values all zero); built in both structures.
    public let pattern: SymmetricMatrix
    /// The full CSR pattern (values all zero) — ``MatrixStructure/general`` only.
    public let generalPattern: CSRMatrix?
    /// `cellCount + 1` offsets into ``scatter``: cell `c` owns `n(n+1)/2` entries
    /// (symmetric) or `n²` entries (general).
    public let scatterOffsets: [Int]
    /// Symmetric: for cell `c`, local pair `(a, b)` with `b ≤ a` at position
    /// `scatterOffsets[c] + a(a+1)/2 + b`, the index into ``pattern`` values of
    /// global entry (max, min) of the pair's equations. General: pair `(a, b)` at
    /// `scatterOffsets[c] + a·n + b`, the index into ``generalPattern`` values of
    /// entry (row of a, column of b). −1 when either dof is constrained.
    public let scatter: [Int32]
    /// Equation of each local dof of each cell (−1 constrained), offsets ``DofMap/cellDofOffsets``.
    public let cellEquations: [Int32]
    /// Number of worker threads used (≥ 1).
    public let threadCount: Int
    /// How the threads share the work.
    public let strategy: AssemblyStrategy
    /// Colour classes of all cells (positions = cell indices), computed once for ``AssemblyStrategy/colouring``.
    let allCellColours: [[Int]]
    /// Partition plan of all cells for ``AssemblyStrategy/partitioned`` (empty otherwise).
    let allCellPartition: PartitionPlan?

    /// Builds pattern and scatter map: O(Σ over cells of n²) with a dense position map
    /// per column (symmetric), binary search per entry (general).
    ///
    /// - Parameters:
    ///   - threads: most threads one assembly uses; default `ThreadBudget.total`
    ///     (`SPINETRACTION_THREADS`, else the online processors).
    ///   - strategy: how threads share assembly (default ``AssemblyStrategy/ordered``).
    ///   - structure: ``MatrixStructure/symmetric`` (default; `SymmetricMatrix`) or
    ///     ``MatrixStructure/general`` (`CSRMatrix`, for non-symmetric kernels such as convection).
    public init(dofMap: DofMap, numbering: EquationNumbering, threads: Int? = nil, strategy: AssemblyStrategy = .ordered,
                structure: MatrixStructure = .symmetric) throws {
        guard numbering.dofCount == dofMap.dofCount else {
            throw DofError.dimensionMismatch(what: "equation numbering", expected: dofMap.dofCount, got: numbering.dofCount)
        }
        self.dofMap = dofMap
        self.numbering = numbering
        threadCount = max(1, threads ?? ThreadBudget.total)
        self.strategy = strategy
        self.structure = structure
        let cellCount = dofMap.mesh.cellCount
        let neq = numbering.count
        var cellEq = [Int32](repeating: -1, count: dofMap.cellDofIndices.count)
        for k in 0..<cellEq.count { cellEq[k] = numbering.equationOfDof[dofMap.cellDofIndices[k]] }
        // Equation → cells (CSR).
        var eqCellStart = [Int](repeating: 0, count: neq + 1)
        for c in 0..<cellCount {
            for k in dofMap.cellDofOffsets[c]..<dofMap.cellDofOffsets[c + 1] where cellEq[k] >= 0 { eqCellStart[Int(cellEq[k]) + 1] += 1 }
        }
        for i in 0..<neq { eqCellStart[i + 1] += eqCellStart[i] }
        var fill = eqCellStart
        var eqCells = [Int32](repeating: 0, count: eqCellStart[neq])
        for c in 0..<cellCount {
            for k in dofMap.cellDofOffsets[c]..<dofMap.cellDofOffsets[c + 1] where cellEq[k] >= 0 {
                let e = Int(cellEq[k]); eqCells[fill[e]] = Int32(c); fill[e] += 1
            }
        }
        // Column j: rows i ≥ j sharing a cell with j. For the symmetric structure the scatter
        // entries whose smaller equation is j are filled in the same pass: position of row i in
        // column j via a dense map, local index of j in each cell by a scan.
        var offsets = [0]
        offsets.reserveCapacity(cellCount + 1)
        let localPairs: (Int) -> Int = structure == .symmetric ? { $0 * ($0 + 1) / 2 } : { $0 * $0 }
        for c in 0..<cellCount { offsets.append(offsets[c] + localPairs(dofMap.localDofCount(c))) }
        var sc = [Int32](repeating: -1, count: offsets[cellCount])
        var columnStarts = [Int](repeating: 0, count: neq + 1)
        var rows: [Int32] = []
        var marker = [Int](repeating: -1, count: neq)
        var position = [Int32](repeating: -1, count: neq)
        var column: [Int32] = []
        for j in 0..<neq {
            column.removeAll(keepingCapacity: true)
            for p in eqCellStart[j]..<eqCellStart[j + 1] {
                let c = Int(eqCells[p])
                for k in dofMap.cellDofOffsets[c]..<dofMap.cellDofOffsets[c + 1] {
                    let i = Int(cellEq[k])
                    if i >= j && marker[i] != j { marker[i] = j; column.append(Int32(i)) }
                }
            }
            column.sort()
            let start = rows.count
            rows.append(contentsOf: column)
            columnStarts[j + 1] = rows.count
            guard rows.count < Int(Int32.max) / 2 else {
                throw DofError.dimensionMismatch(what: "stored matrix entries (Int32 scatter map)", expected: Int(Int32.max) / 2, got: rows.count)
            }
            guard structure == .symmetric else { continue }
            for (q, i) in column.enumerated() { position[Int(i)] = Int32(start + q) }
            for p in eqCellStart[j]..<eqCellStart[j + 1] {
                let c = Int(eqCells[p])
                let base = dofMap.cellDofOffsets[c], n = dofMap.localDofCount(c)
                var b = 0
                while Int(cellEq[base + b]) != j { b += 1 }
                for a in 0..<n {
                    let ea = Int(cellEq[base + a])
                    guard ea >= j else { continue }           // ea < 0 (constrained) skipped too
                    let (hi, lo) = a >= b ? (a, b) : (b, a)
                    sc[offsets[c] + hi * (hi + 1) / 2 + lo] = position[ea]
                }
            }
        }
        pattern = try SymmetricMatrix(dimension: neq, columnStarts: columnStarts, rowIndices: rows,
                                      values: [Double](repeating: 0, count: rows.count))
        switch structure {
        case .symmetric:
            generalPattern = nil
        case .general:
            // Full pattern by mirroring the lower triangle; rows come out sorted (see below).
            var rowStarts = [Int](repeating: 0, count: neq + 1)
            for j in 0..<neq {
                for p in columnStarts[j]..<columnStarts[j + 1] {
                    let i = Int(rows[p]); rowStarts[i + 1] += 1; if i != j { rowStarts[j + 1] += 1 }
                }
            }
            for i in 0..<neq { rowStarts[i + 1] += rowStarts[i] }
            var next = rowStarts
            var cols = [Int32](repeating: 0, count: rowStarts[neq])
            // Column j in increasing order: row i gets j (i ≥ j), row j gets i (i > j); each row's
            // columns are appended in increasing order.
            for j in 0..<neq {
                for p in columnStarts[j]..<columnStarts[j + 1] {
                    let i = Int(rows[p])
                    cols[next[i]] = Int32(j); next[i] += 1
                    if i != j { cols[next[j]] = Int32(i); next[j] += 1 }
                }
            }
            let csr = try CSRMatrix(rows: neq, columns: neq, rowStarts: rowStarts, columnIndices: cols,
                                    values: [Double](repeating: 0, count: cols.count))
            generalPattern = csr
            cols.withUnsafeBufferPointer { cp in
                for c in 0..<cellCount {
                    let base = dofMap.cellDofOffsets[c], n = dofMap.localDofCount(c)
                    var k = offsets[c]
                    for a in 0..<n {
                        let ea = Int(cellEq[base + a])
                        for b in 0..<n {
                            let eb = Int32(cellEq[base + b])
                            if ea >= 0 && eb >= 0 {
                                var lo = rowStarts[ea], hi = rowStarts[ea + 1]
                                while lo < hi { let mid = (lo + hi) >> 1; if cp[mid] < eb { lo = mid + 1 } else { hi = mid } }
                                sc[k] = Int32(lo)
                            }
                            k += 1
                        }
                    }
                }
            }
        }
        scatterOffsets = offsets
        scatter = sc
        cellEquations = cellEq
        allCellColours = strategy == .colouring && threadCount > 1
            ? Assembler.colourClasses(mesh: dofMap.mesh, items: Array(0..<cellCount)) : []
        allCellPartition = strategy == .partitioned && threadCount > 1 && cellCount >= 8 * threadCount
            ? Assembler.partitionPlan(mesh: dofMap.mesh, items: Array(0..<cellCount), workers: min(threadCount, cellCount / 8)) : nil
    }

    /// A zero matrix with the assembly pattern.
    public func makeMatrix() -> SymmetricMatrix { pattern }

    /// A zero general matrix with the full pattern (``MatrixStructure/general`` assemblers).
    public func makeGeneralMatrix() throws -> CSRMatrix {
        guard let generalPattern else { throw DofError.structureMismatch(expected: "general", got: "symmetric") }
        return generalPattern
    }

    /// A zero right-hand side (length = number of unknowns).
    public func makeVector() -> [Double] { [Double](repeating: 0, count: numbering.count) }

    /// Adds the kernel's element matrices and vectors of `cells` (all cells when nil)
    /// into `matrix` and `rhs` (not zeroed first — zero them for a fresh assembly).
    ///
    /// - Parameters:
    ///   - prescribed: full dof vector of prescribed values (e.g. ``DirichletConditions/values``);
    ///     when given, constrained columns are lifted: `rhs[i] −= ke[a, b] · prescribed[dof b]`.
    ///     Pass nil when the unknowns are increments whose constrained part is zero.
    /// - Throws: ``DofError/patternMismatch`` if `matrix` does not have this pattern; whatever the kernel throws
    ///   (the error of the lowest-numbered worker that failed).
    package func assemble(cells: [Int]? = nil, matrix: inout SymmetricMatrix, rhs: inout [Double],
                         prescribed: [Double]? = nil, kernel: @escaping CellKernel) throws {
        try assemble(cells: cells, matrix: &matrix, rhs: &rhs, prescribed: prescribed, scratchKernel: { c, _, ke, fe in try kernel(c, ke, fe) })
    }

    /// As ``assemble(cells:matrix:rhs:prescribed:kernel:)`` with a per-thread ``CellScratch``.
    package func assemble(cells: [Int]? = nil, matrix: inout SymmetricMatrix, rhs: inout [Double],
                         prescribed: [Double]? = nil, scratchKernel: @escaping ScratchCellKernel) throws {
        guard structure == .symmetric else { throw DofError.structureMismatch(expected: "symmetric", got: "general") }
        guard matrix.hasSamePattern(as: pattern) else { throw DofError.patternMismatch }
        try checkVectors(rhs: rhs, prescribed: prescribed)
        let list = try cellList(cells)
        try run(items: list, values: &matrix.values, rhs: &rhs, prescribed: prescribed, withMatrix: true, parallel: true) { k, s, ke, fe in
            try scratchKernel(list[k], s, ke, fe)
        }
    }

    /// General (non-symmetric) assembly into a CSR matrix made by ``makeGeneralMatrix()``;
    /// element matrices need not be symmetric. Lifting as for the symmetric case.
    package func assemble(cells: [Int]? = nil, matrix: inout CSRMatrix, rhs: inout [Double],
                         prescribed: [Double]? = nil, scratchKernel: @escaping ScratchCellKernel) throws {
        guard let generalPattern else { throw DofError.structureMismatch(expected: "general", got: "symmetric") }
        guard matrix.rowStarts == generalPattern.rowStarts && matrix.columnIndices == generalPattern.columnIndices else {
            throw DofError.patternMismatch
        }
        try checkVectors(rhs: rhs, prescribed: prescribed)
        let list = try cellList(cells)
        try run(items: list, values: &matrix.values, rhs: &rhs, prescribed: prescribed, withMatrix: true, parallel: true) { k, s, ke, fe in
            try scratchKernel(list[k], s, ke, fe)
        }
    }

    /// General assembly with a ``CellKernel``.
    package func assemble(cells: [Int]? = nil, matrix: inout CSRMatrix, rhs: inout [Double],
                         prescribed: [Double]? = nil, kernel: @escaping CellKernel) throws {
        try assemble(cells: cells, matrix: &matrix, rhs: &rhs, prescribed: prescribed, scratchKernel: { c, _, ke, fe in try kernel(c, ke, fe) })
    }

    /// Adds the kernel's element vectors of `cells` (all when nil) into `rhs` (length = unknowns).
    package func assembleVector(cells: [Int]? = nil, rhs: inout [Double], kernel: @escaping CellVectorKernel) throws {
        try checkVectors(rhs: rhs, prescribed: nil)
        let list = try cellList(cells)
        var none: [Double] = []
        try run(items: list, values: &none, rhs: &rhs, prescribed: nil, withMatrix: false, parallel: true) { k, _, _, fe in
            try kernel(list[k], fe)
        }
    }

    /// Adds the element vectors of `cells` (all when nil) into `rhs` (length = unknowns), with a
    /// per-thread ``CellScratch``: the residual-only counterpart of
    /// ``assemble(cells:matrix:rhs:prescribed:scratchKernel:)`` (no matrix is touched). The
    /// kernel's matrix buffer is ignored.
    package func assembleVector(cells: [Int]? = nil, rhs: inout [Double], scratchKernel: @escaping ScratchCellKernel) throws {
        try checkVectors(rhs: rhs, prescribed: nil)
        let list = try cellList(cells)
        var none: [Double] = []
        try run(items: list, values: &none, rhs: &rhs, prescribed: nil, withMatrix: false, parallel: true) { k, s, ke, fe in
            try scratchKernel(list[k], s, ke, fe)
        }
    }

    /// Adds face contributions with a matrix (follower pressure, Robin/convective terms) of
    /// `faces` into `matrix` and `rhs`. Each face works in its cell's local dof space
    /// (buffers as in ``FaceKernel``). Faces are computed concurrently with
    /// ``AssemblyStrategy/ordered`` (added in face order), serially with the other strategies.
    ///
    /// - Parameter prescribed: as for cells (lifting of constrained columns).
    package func assemble(faces: [FaceRef], matrix: inout SymmetricMatrix, rhs: inout [Double],
                         prescribed: [Double]? = nil, kernel: @escaping FaceKernel) throws {
        guard structure == .symmetric else { throw DofError.structureMismatch(expected: "symmetric", got: "general") }
        guard matrix.hasSamePattern(as: pattern) else { throw DofError.patternMismatch }
        try checkVectors(rhs: rhs, prescribed: prescribed)
        try checkFaces(faces)
        try run(items: faces.map(\.cell), values: &matrix.values, rhs: &rhs, prescribed: prescribed, withMatrix: true, parallel: strategy == .ordered) { k, s, ke, fe in
            try kernel(faces[k], s, ke, fe)
        }
    }

    /// Adds face load vectors (tractions, pressures, fluxes) of `faces` into `rhs`
    /// (length = unknowns). The kernel's matrix buffer is ignored.
    package func assembleVector(faces: [FaceRef], rhs: inout [Double], kernel: @escaping FaceKernel) throws {
        try checkVectors(rhs: rhs, prescribed: nil)
        try checkFaces(faces)
        var none: [Double] = []
        try run(items: faces.map(\.cell), values: &none, rhs: &rhs, prescribed: nil, withMatrix: false, parallel: strategy == .ordered) { k, s, ke, fe in
            try kernel(faces[k], s, ke, fe)
        }
    }

    func checkFaces(_ faces: [FaceRef]) throws {
        let mesh = dofMap.mesh
        for f in faces {
            guard f.cell >= 0 && f.cell < mesh.cellCount else { throw DofError.cellOutOfRange(cell: f.cell, cellCount: mesh.cellCount) }
            guard f.face >= 0 && f.face < mesh.cellType(f.cell).faceCount else {
                throw MeshError.faceOutOfRange(cell: f.cell, face: f.face, faceCount: mesh.cellType(f.cell).faceCount)
            }
        }
    }

    /// Adds element vectors into a full dof vector (length ``DofMap/dofCount``), constrained
    /// dofs included — e.g. the internal force whose constrained entries are reaction forces.
    package func assembleDofVector(cells: [Int]? = nil, into full: inout [Double], kernel: CellVectorKernel) throws {
        guard full.count == dofMap.dofCount else { throw DofError.dimensionMismatch(what: "dof vector", expected: dofMap.dofCount, got: full.count) }
        let list = try cellList(cells)
        if strategy == .ordered && threadCount > 1 && list.count > 1 {
            // Element vectors concurrently into per-cell storage, then added in cell order.
            var start = [Int](repeating: 0, count: list.count + 1)
            for k in 0..<list.count { start[k + 1] = start[k] + dofMap.localDofCount(list[k]) }
            var storage = [Double](repeating: 0, count: start[list.count])
            let errors = ErrorSlots(count: list.count)
            try storage.withUnsafeMutableBufferPointer { sb in
                let shared = UncheckedSendable(sb)
                let pieces = min(list.count, 4 * threadCount)
                ThreadBudget.parallelFor(pieces, maxThreads: threadCount) { piece in
                    let first = list.count * piece / pieces, end = list.count * (piece + 1) / pieces
                    for k in first..<end {
                        let buf = UnsafeMutableBufferPointer(rebasing: shared.value[start[k]..<start[k + 1]])
                        do { try kernel(list[k], buf) } catch { errors.set(k, error) }
                    }
                }
                if let e = errors.first() { throw e }
                for (k, c) in list.enumerated() {
                    let base = dofMap.cellDofOffsets[c]
                    for a in 0..<(start[k + 1] - start[k]) { full[dofMap.cellDofIndices[base + a]] += sb[start[k] + a] }
                }
            }
            return
        }
        let maxN = list.reduce(0) { max($0, dofMap.localDofCount($1)) }
        var fe = [Double](repeating: 0, count: maxN)
        try fe.withUnsafeMutableBufferPointer { fp in
            for c in list {
                let n = dofMap.localDofCount(c)
                let buf = UnsafeMutableBufferPointer(rebasing: fp[0..<n])
                for i in 0..<n { buf[i] = 0 }
                try kernel(c, buf)
                let base = dofMap.cellDofOffsets[c]
                for a in 0..<n { full[dofMap.cellDofIndices[base + a]] += buf[a] }
            }
        }
    }

    func checkVectors(rhs: [Double], prescribed: [Double]?) throws {
        guard rhs.count == numbering.count else { throw DofError.dimensionMismatch(what: "rhs", expected: numbering.count, got: rhs.count) }
        if let prescribed, prescribed.count != dofMap.dofCount {
            throw DofError.dimensionMismatch(what: "prescribed", expected: dofMap.dofCount, got: prescribed.count)
        }
    }

    func cellList(_ cells: [Int]?) throws -> [Int] {
        guard let cells else { return Array(0..<dofMap.mesh.cellCount) }
        if let bad = cells.first(where: { $0 < 0 || $0 >= dofMap.mesh.cellCount }) {
            throw DofError.cellOutOfRange(cell: bad, cellCount: dofMap.mesh.cellCount)
        }
        return cells
    }

    typealias ItemKernel = @Sendable (_ item: Int, _ scratch: CellScratch, _ matrix: UnsafeMutableBufferPointer<Double>, _ vector: UnsafeMutableBufferPointer<Double>) throws -> Void

    /// Runs `kernel` on every item (item `k` works on cell `items[k]`) and scatters.
    private func run(items: [Int], values: inout [Double], rhs: inout [Double], prescribed: [Double]?,
                     withMatrix: Bool, parallel: Bool, kernel: @escaping ItemKernel) throws {
        if strategy == .ordered && parallel && threadCount > 1 && items.count > 1 {
            try values.withUnsafeMutableBufferPointer { v0 in
                try rhs.withUnsafeMutableBufferPointer { r0 in
                    try runOrdered(items: items, values: v0, rhs: r0, prescribed: prescribed, withMatrix: withMatrix, kernel: kernel)
                }
            }
            return
        }
        let workers = parallel ? max(1, min(threadCount, items.count / 8)) : 1
        let maxN = items.reduce(0) { max($0, dofMap.localDofCount($1)) }
        let errors = ErrorSlots(count: workers)
        let ctx = WorkerContext(items: items, maxN: maxN, prescribed: prescribed,
                                withMatrix: withMatrix, kernel: kernel, errors: errors)
        let buffers = (0..<workers).map { _ in WorkerBuffers(maxN: maxN) }
        if workers == 1 {
            try values.withUnsafeMutableBufferPointer { v0 in
                try rhs.withUnsafeMutableBufferPointer { r0 in
                    work(ctx, 0, Array(0..<items.count)[...], v0, r0, buffers[0])
                    if let e = errors.first() { throw e }
                }
            }
            return
        }
        switch strategy {
        case .colouring:
            // Cells of one colour share no node: workers write disjoint entries.
            let colours = items.count == dofMap.mesh.cellCount && !allCellColours.isEmpty && items.elementsEqual(0..<items.count)
                ? allCellColours : colourClasses(items)
            try values.withUnsafeMutableBufferPointer { v0 in
                try rhs.withUnsafeMutableBufferPointer { r0 in
                    let targets = UncheckedSendable((v0, r0))
                    for colour in colours {
                        let chunk = (colour.count + workers - 1) / workers
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            let lo = min(w * chunk, colour.count), hi = min(lo + chunk, colour.count)
                            work(ctx, w, colour[lo..<hi], targets.value.0, targets.value.1, buffers[w])
                        }
                        if let e = errors.first() { throw e }
                    }
                }
            }
        case .partitioned:
            let isAll = items.count == dofMap.mesh.cellCount && items.elementsEqual(0..<items.count)
            let plan = isAll && allCellPartition?.interior.count == workers
                ? allCellPartition! : Assembler.partitionPlan(mesh: dofMap.mesh, items: items, workers: workers)
            try values.withUnsafeMutableBufferPointer { v0 in
                try rhs.withUnsafeMutableBufferPointer { r0 in
                    let targets = UncheckedSendable((v0, r0))
                    // Interiors of the contiguous chunks share no node: in parallel.
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        work(ctx, w, plan.interior[w][...], targets.value.0, targets.value.1, buffers[w])
                    }
                    if let e = errors.first() { throw e }
                    // Cells touching another chunk's nodes: serially, in item order.
                    work(ctx, 0, plan.interface[...], v0, r0, buffers[0])
                    if let e = errors.first() { throw e }
                }
            }
        case .ordered:
            preconditionFailure("ordered assembly runs in runOrdered")
        case .threadBuffers:
            // Worker 0 writes into the targets; the others into private zeroed buffers, summed in order.
            var privateBuffers: [(UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>)] = []
            for _ in 1..<workers {
                let pv = UnsafeMutableBufferPointer<Double>.allocate(capacity: withMatrix ? values.count : 0)
                pv.initialize(repeating: 0)
                let pr = UnsafeMutableBufferPointer<Double>.allocate(capacity: rhs.count)
                pr.initialize(repeating: 0)
                privateBuffers.append((pv, pr))
            }
            defer { for (pv, pr) in privateBuffers { pv.deallocate(); pr.deallocate() } }
            try values.withUnsafeMutableBufferPointer { v0 in
                try rhs.withUnsafeMutableBufferPointer { r0 in
                    let targets = UncheckedSendable([(v0, r0)] + privateBuffers)
                    let chunk = (items.count + workers - 1) / workers
                    let all = Array(0..<items.count)
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        let lo = min(w * chunk, items.count), hi = min(lo + chunk, items.count)
                        work(ctx, w, all[lo..<hi], targets.value[w].0, targets.value[w].1, buffers[w])
                    }
                    if let e = errors.first() { throw e }
                    for (pv, pr) in privateBuffers {
                        if withMatrix { for k in 0..<v0.count { v0[k] += pv[k] } }
                        for k in 0..<r0.count { r0[k] += pr[k] }
                    }
                }
            }
        }
    }

    /// Splits the items into `workers` contiguous chunks; a cell whose nodes are all touched
    /// only by cells of its own chunk is interior (positions per worker), the rest is the interface.
    static func partitionPlan(mesh: Mesh, items: [Int], workers: Int) -> PartitionPlan {
        let chunk = (items.count + workers - 1) / workers
        var owner = [Int](repeating: -1, count: mesh.nodeCount)       // −1 untouched, −2 shared
        for (k, c) in items.enumerated() {
            let w = k / chunk
            for n in mesh.cellNodes(c) {
                if owner[n] == -1 { owner[n] = w } else if owner[n] != w { owner[n] = -2 }
            }
        }
        var interior = [[Int]](repeating: [], count: workers)
        var interface: [Int] = []
        for (k, c) in items.enumerated() {
            let w = k / chunk
            if mesh.cellNodes(c).allSatisfy({ owner[$0] == w }) { interior[w].append(k) } else { interface.append(k) }
        }
        return PartitionPlan(interior: interior, interface: interface)
    }

    /// Greedy colouring of the items' cells by shared nodes: positions into `items`, colour by colour.
    func colourClasses(_ items: [Int]) -> [[Int]] {
        Assembler.colourClasses(mesh: dofMap.mesh, items: items)
    }

    static func colourClasses(mesh: Mesh, items: [Int]) -> [[Int]] {
        // Node → items.
        var start = [Int](repeating: 0, count: mesh.nodeCount + 1)
        for c in items { for n in mesh.cellNodes(c) { start[n + 1] += 1 } }
        for i in 0..<mesh.nodeCount { start[i + 1] += start[i] }
        var fill = start
        var nodeItems = [Int](repeating: 0, count: start[mesh.nodeCount])
        for (k, c) in items.enumerated() { for n in mesh.cellNodes(c) { nodeItems[fill[n]] = k; fill[n] += 1 } }
        var colour = [Int](repeating: -1, count: items.count)
        var forbidden = [Int](repeating: -1, count: 64)
        var classes: [[Int]] = []
        for (k, c) in items.enumerated() {
            for n in mesh.cellNodes(c) {
                for p in start[n]..<start[n + 1] {
                    let col = colour[nodeItems[p]]
                    if col >= 0 {
                        if col >= forbidden.count { forbidden += [Int](repeating: -1, count: col + 1 - forbidden.count) }
                        forbidden[col] = k
                    }
                }
            }
            var col = 0
            while col < forbidden.count && forbidden[col] == k { col += 1 }
            colour[k] = col
            if col == classes.count { classes.append([]) }
            classes[col].append(k)
        }
        return classes
    }

    /// Adds one cell's element matrix `kb` (`n × n`, row-major) and vector `fb` into the global
    /// values and right-hand side, with lifting of prescribed columns. The one place where element
    /// contributions meet the global arrays: every strategy adds through it.
    @inline(__always)
    private func scatterCell(_ c: Int, n: Int, _ kb: UnsafeMutableBufferPointer<Double>, _ fb: UnsafeMutableBufferPointer<Double>,
                             _ values: UnsafeMutableBufferPointer<Double>, _ rhs: UnsafeMutableBufferPointer<Double>,
                             _ sp: UnsafeBufferPointer<Int32>, _ ep: UnsafeBufferPointer<Int32>, _ dp: UnsafeBufferPointer<Int>,
                             prescribed: [Double]?, withMatrix: Bool, general: Bool) {
        let eqBase = dofMap.cellDofOffsets[c]
        if withMatrix {
            var k = scatterOffsets[c]
            if general {
                for a in 0..<(n * n) {
                    let s = Int(sp[k + a])
                    if s >= 0 { values[s] += kb[a] }
                }
            } else {
                for a in 0..<n {
                    let row = a * n
                    for b in 0...a {
                        let s = Int(sp[k])
                        if s >= 0 { values[s] += kb[row + b] }
                        k += 1
                    }
                }
            }
        }
        for a in 0..<n {
            let ea = Int(ep[eqBase + a])
            guard ea >= 0 else { continue }
            var f = fb[a]
            if let g = prescribed, withMatrix {
                for b in 0..<n where ep[eqBase + b] < 0 {
                    f -= kb[a * n + b] * g[dp[eqBase + b]]
                }
            }
            rhs[ea] += f
        }
    }

    /// Doubles of element storage one ``AssemblyStrategy/ordered`` batch may hold (16 MiB).
    static let orderedBatchCapacity = 1 << 21

    /// ``AssemblyStrategy/ordered``: the items' element matrices and vectors are computed
    /// concurrently, batch by batch, into per-item storage (threads granted by ``ThreadBudget``,
    /// at most ``threadCount``), then added by the calling thread in item order — the additions
    /// into every global entry are those of the serial loop, in the same order.
    private func runOrdered(items: [Int], values: UnsafeMutableBufferPointer<Double>, rhs: UnsafeMutableBufferPointer<Double>,
                            prescribed: [Double]?, withMatrix: Bool, kernel: @escaping ItemKernel) throws {
        let count = items.count
        // Storage offsets of each item's matrix (n², withMatrix only) and vector (n), per batch.
        var batchStarts = [0]
        var slot = [Int](repeating: 0, count: count + 1)
        var maxN = 0
        var used = 0
        for k in 0..<count {
            let n = dofMap.localDofCount(items[k])
            maxN = max(maxN, n)
            let size = (withMatrix ? n * n : 0) + n
            if used > 0 && used + size > Assembler.orderedBatchCapacity { batchStarts.append(k); used = 0 }
            slot[k] = used
            used += size
        }
        batchStarts.append(count)
        var capacity = 0
        for b in 0..<(batchStarts.count - 1) {
            let last = batchStarts[b + 1] - 1
            let n = dofMap.localDofCount(items[last])
            capacity = max(capacity, slot[last] + (withMatrix ? n * n : 0) + n)
        }
        let storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, capacity))
        storage.initialize(repeating: 0)
        defer { storage.deallocate() }
        let pool = BufferPool(maxN: maxN)
        let general = structure == .general
        let shared = UncheckedSendable((storage, slot))
        try scatter.withUnsafeBufferPointer { sp in
            try cellEquations.withUnsafeBufferPointer { ep in
                try dofMap.cellDofIndices.withUnsafeBufferPointer { dp in
                    for b in 0..<(batchStarts.count - 1) {
                        let lo = batchStarts[b], hi = batchStarts[b + 1]
                        let errors = ErrorSlots(count: hi - lo)
                        // Contiguous pieces, a few per thread, so that a slow thread does not hold the batch.
                        let pieces = min(hi - lo, 4 * threadCount)
                        ThreadBudget.parallelFor(pieces, maxThreads: threadCount) { piece in
                            let buffers = pool.take()
                            defer { pool.put(buffers) }
                            let (store, slot) = shared.value
                            let first = lo + (hi - lo) * piece / pieces, end = lo + (hi - lo) * (piece + 1) / pieces
                            for k in first..<end {
                                let n = dofMap.localDofCount(items[k])
                                let kb = withMatrix ? UnsafeMutableBufferPointer(rebasing: store[slot[k]..<(slot[k] + n * n)])
                                                    : UnsafeMutableBufferPointer(rebasing: buffers.matrix[0..<(n * n)])
                                let fStart = slot[k] + (withMatrix ? n * n : 0)
                                let fb = UnsafeMutableBufferPointer(rebasing: store[fStart..<(fStart + n)])
                                kb.update(repeating: 0)
                                fb.update(repeating: 0)
                                do { try kernel(k, buffers.scratch, kb, fb) } catch { errors.set(k - lo, error) }
                            }
                        }
                        if let e = errors.first() { throw e }
                        for k in lo..<hi {
                            let c = items[k], n = dofMap.localDofCount(c)
                            let kb = UnsafeMutableBufferPointer(rebasing: storage[slot[k]..<(slot[k] + (withMatrix ? n * n : 0))])
                            let fStart = slot[k] + (withMatrix ? n * n : 0)
                            let fb = UnsafeMutableBufferPointer(rebasing: storage[fStart..<(fStart + n)])
                            scatterCell(c, n: n, kb, fb, values, rhs, sp, ep, dp, prescribed: prescribed, withMatrix: withMatrix, general: general)
                        }
                    }
                }
            }
        }
    }

    private func work(_ ctx: WorkerContext, _ w: Int, _ positions: ArraySlice<Int>, _ values: UnsafeMutableBufferPointer<Double>,
                      _ rhs: UnsafeMutableBufferPointer<Double>, _ buffers: WorkerBuffers) {
        guard !positions.isEmpty else { return }
        let scratch = buffers.scratch
        let kp = buffers.matrix, fp = buffers.vector
        let general = structure == .general
        do {
            try scatter.withUnsafeBufferPointer { sp in
                try cellEquations.withUnsafeBufferPointer { ep in
                    try dofMap.cellDofIndices.withUnsafeBufferPointer { dp in
                        for idx in positions {
                            let c = ctx.items[idx]
                            let n = dofMap.localDofCount(c)
                            let kb = UnsafeMutableBufferPointer(rebasing: kp[0..<(n * n)])
                            let fb = UnsafeMutableBufferPointer(rebasing: fp[0..<n])
                            kb.update(repeating: 0)
                            fb.update(repeating: 0)
                            try ctx.kernel(idx, scratch, kb, fb)
                            scatterCell(c, n: n, kb, fb, values, rhs, sp, ep, dp, prescribed: ctx.prescribed, withMatrix: ctx.withMatrix, general: general)
                        }
                    }
                }
            }
        } catch {
            ctx.errors.set(w, error)
        }
    }
}

/// The storage of an assembled matrix.
public enum MatrixStructure: String, Sendable, CaseIterable, Codable {
    /// Lower triangle, `SymmetricMatrix` (elasticity, diffusion, u–p saddle points).
    case symmetric
    /// Full `CSRMatrix` (non-symmetric kernels: convection, non-symmetric tangents).
    case general
}

/// How several threads share assembly.
public enum AssemblyStrategy: String, Sendable, CaseIterable {
    /// Cells coloured so that no two cells of a colour share a node; the threads split each
    /// colour and write straight into the matrix (no extra memory).
    case colouring
    /// Contiguous chunks per thread, each adding into a private copy of the values, summed
    /// at the end (one extra copy of the values per extra thread).
    case threadBuffers
    /// Contiguous chunks per thread; cells touching no other chunk's node run in parallel
    /// straight into the matrix, the thin interface layer afterwards on one thread. Best
    /// with a locality-preserving cell order (generators, Gmsh); no extra memory.
    case partitioned
    /// Element matrices and vectors computed concurrently into per-cell storage (in batches of
    /// at most 16 MiB), then added into the matrix by one thread in cell order: every entry
    /// receives exactly the additions of the one-thread loop in the same order, so the assembled
    /// system is bitwise identical for any thread count. Threads come from
    /// `ThreadBudget` (at most ``Assembler/threadCount``), so concurrent simulations share the cores.
    case ordered
}

/// Interior cells per worker and the interface cells (positions into the item list).
struct PartitionPlan: Sendable {
    var interior: [[Int]]
    var interface: [Int]
}

/// Per-worker kernel buffers and scratch, reused across colours.
final class WorkerBuffers: @unchecked Sendable {
    let scratch = CellScratch()
    let matrix: UnsafeMutableBufferPointer<Double>
    let vector: UnsafeMutableBufferPointer<Double>
    init(maxN: Int) {
        matrix = .allocate(capacity: max(1, maxN * maxN)); matrix.initialize(repeating: 0)
        vector = .allocate(capacity: max(1, maxN)); vector.initialize(repeating: 0)
    }
    deinit { matrix.deallocate(); vector.deallocate() }
}

/// Worker buffers handed to whichever thread runs a piece of an ordered batch.
final class BufferPool: Sendable {
    private let free: Mutex<[WorkerBuffers]>
    private let maxN: Int
    init(maxN: Int) { self.maxN = maxN; free = Mutex([]) }
    func take() -> WorkerBuffers { free.withLock { $0.popLast() } ?? WorkerBuffers(maxN: maxN) }
    func put(_ b: WorkerBuffers) { free.withLock { $0.append(b) } }
}

/// What every assembly worker reads.
struct WorkerContext: @unchecked Sendable {
    let items: [Int]
    let maxN: Int
    let prescribed: [Double]?
    let withMatrix: Bool
    let kernel: Assembler.ItemKernel
    let errors: ErrorSlots
}

/// One error slot per worker; read after all workers finished.
final class ErrorSlots: Sendable {
    private let slots: Mutex<[(any Error)?]>
    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
    func set(_ i: Int, _ e: any Error) { slots.withLock { $0[i] = e } }
    func first() -> (any Error)? { slots.withLock { $0.compactMap { $0 }.first } }
}

/// Wraps a value whose thread safety the code guarantees by construction
/// (disjoint writes, reads after a join).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
