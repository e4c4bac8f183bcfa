import CMetis

/// Fill-reducing and bandwidth-reducing orderings of a symmetric pattern.
public enum OrderingMethod: String, Sendable, CaseIterable, Codable {
    /// The identity: no renumbering.
    case natural
    /// Reverse Cuthill–McKee: small bandwidth, for the banded solvers.
    case reverseCuthillMcKee = "rcm"
    /// Approximate minimum degree: good fill on small or irregular systems.
    case approximateMinimumDegree = "amd"
    /// METIS multilevel nested dissection (`METIS_NodeND`): the standard for 3D FE meshes.
    case nestedDissection = "metis-nd"
}

/// A permutation of `0..<n` with its inverse: `permutation[new] = old`,
/// `inverse[old] = new`. The permuted matrix is `P A Pᵀ`.
public struct Ordering: Sendable, Equatable {
    /// The method that produced it.
    public let method: OrderingMethod
    /// `permutation[new] = old`.
    public let permutation: [Int]
    /// `inverse[old] = new`.
    public let inverse: [Int]

    /// Wraps a permutation after checking that it is one.
    /// - Throws: ``LinearAlgebraError/invalidArgument(_:)`` naming the first repeated or out-of-range entry.
    public init(method: OrderingMethod, permutation: [Int]) throws {
        let n = permutation.count
        var inverse = [Int](repeating: -1, count: n)
        for (new, old) in permutation.enumerated() {
            guard old >= 0 && old < n else { throw LinearAlgebraError.indexOutOfRange(what: "permutation[\(new)]", index: old, bound: n) }
            guard inverse[old] < 0 else { throw LinearAlgebraError.invalidArgument("permutation repeats \(old) (at \(new))") }
            inverse[old] = new
        }
        self.method = method
        self.permutation = permutation
        self.inverse = inverse
    }

    /// Computes an ordering of `matrix`'s pattern (values are ignored).
    public static func compute(_ method: OrderingMethod, for matrix: SymmetricMatrix) throws -> Ordering {
        switch method {
        case .natural:
            return try Ordering(method: .natural, permutation: Array(0..<matrix.dimension))
        case .nestedDissection:
            return try Ordering(method: .nestedDissection, permutation: metisNodeND(AdjacencyGraph(matrix)))
        case .reverseCuthillMcKee:
            return try Ordering(method: method, permutation: reverseCuthillMcKee(AdjacencyGraph(matrix)))
        case .approximateMinimumDegree:
            return try Ordering(method: method, permutation: approximateMinimumDegree(AdjacencyGraph(matrix)))
        }
    }
}

/// The graph of a symmetric pattern without self loops, in CSR form with
/// both directions stored — the input every ordering algorithm reads.
public struct AdjacencyGraph: Sendable {
    /// Number of vertices (= matrix dimension).
    public let vertexCount: Int
    /// `vertexCount + 1` offsets into ``neighbours``.
    public let starts: [Int]
    /// Neighbours of each vertex, sorted.
    public let neighbours: [Int32]

    /// The graph of `A + Aᵀ` minus the diagonal.
    public init(_ a: SymmetricMatrix) {
        let n = a.dimension
        var degree = [Int](repeating: 0, count: n + 1)
        for j in 0..<n {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                let i = Int(a.rowIndices[p])
                if i != j { degree[i + 1] += 1; degree[j + 1] += 1 }
            }
        }
        for v in 0..<n { degree[v + 1] += degree[v] }
        var next = degree
        var adj = [Int32](repeating: 0, count: degree[n])
        // Column j visits rows in increasing order, and columns are visited in
        // increasing order, so every list is filled sorted.
        for j in 0..<n {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                let i = Int(a.rowIndices[p])
                if i != j {
                    adj[next[i]] = Int32(j); next[i] += 1
                }
            }
        }
        for j in 0..<n {
            for p in a.columnStarts[j]..<a.columnStarts[j + 1] {
                let i = Int(a.rowIndices[p])
                if i != j { adj[next[j]] = Int32(i); next[j] += 1 }
            }
        }
        self.vertexCount = n
        self.starts = degree
        self.neighbours = adj
    }
}

/// METIS 5 multilevel nested dissection (`METIS_NodeND`) with default options.
///
/// METIS 5.1 manual (Karypis 2013, METIS_NodeND): "row (column) i of A' is
/// the perm[i] row (column) of A", i.e. `perm[new] = old` — our convention.
func metisNodeND(_ g: AdjacencyGraph) throws -> [Int] {
    let n = g.vertexCount
    if n == 0 { return [] }
    if g.neighbours.isEmpty { return Array(0..<n) }
    var nvtxs = idx_t(n)
    var xadj = g.starts.map { idx_t($0) }
    var adjncy = g.neighbours.map { idx_t($0) }
    var perm = [idx_t](repeating: 0, count: n)
    var iperm = [idx_t](repeating: 0, count: n)
    var options = [idx_t](repeating: 0, count: Int(METIS_NOPTIONS))
    METIS_SetDefaultOptions(&options)
    options[Int(METIS_OPTION_NUMBERING.rawValue)] = 0
    let status = METIS_NodeND(&nvtxs, &xadj, &adjncy, nil, &options, &perm, &iperm)
    guard status == Int32(METIS_OK.rawValue) else {
        throw LinearAlgebraError.invalidArgument("METIS_NodeND failed with status \(status)")
    }
    return perm.map { Int($0) }
}
