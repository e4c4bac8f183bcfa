/// Reverse Cuthill–McKee ordering of a graph (`permutation[new] = old`).
///
/// Each connected component is numbered by a breadth-first search that visits
/// the unnumbered neighbours of a vertex in increasing order of degree
/// (Cuthill & McKee 1969), started at a pseudo-peripheral vertex found by the
/// George–Liu iteration (George & Liu 1979, ACM TOMS 5:284; *Computer
/// Solution of Large Sparse Positive Definite Systems*, 1981, §4.3.2): root a
/// level structure at a vertex, move to a vertex of minimum degree in its last
/// level, and repeat while the number of levels (the eccentricity) grows.
/// Components are taken in order of their lowest-numbered vertex; the whole
/// sequence is then reversed (George 1971), which never increases the profile.
///
/// Cost: O(|V| + |E| log Δ) per level-structure sweep, a few sweeps per component.
func reverseCuthillMcKee(_ g: AdjacencyGraph) throws -> [Int] {
    let n = g.vertexCount
    if n == 0 { return [] }
    var order = [Int]()
    order.reserveCapacity(n)
    g.starts.withUnsafeBufferPointer { xadj in
        g.neighbours.withUnsafeBufferPointer { adj in
            @inline(__always) func degree(_ v: Int) -> Int { xadj[v + 1] - xadj[v] }
            // numbered[v]: v already placed in the Cuthill–McKee order.
            var numbered = [Bool](repeating: false, count: n)
            // Scratch for level structures: visit stamp per vertex.
            var stamp = [Int](repeating: 0, count: n)
            var currentStamp = 0
            var queue = [Int](repeating: 0, count: n)

            /// Breadth-first level structure rooted at `root` within the
            /// unnumbered component. Returns (number of levels, start of the last level, end).
            func levelStructure(_ root: Int) -> (levels: Int, lastStart: Int, end: Int) {
                currentStamp += 1
                stamp[root] = currentStamp
                queue[0] = root
                var head = 0, tail = 1, levels = 0, levelStart = 0
                while head < tail {
                    levelStart = head
                    let levelEnd = tail
                    levels += 1
                    while head < levelEnd {
                        let v = queue[head]; head += 1
                        for p in xadj[v]..<xadj[v + 1] {
                            let w = Int(adj[p])
                            if stamp[w] != currentStamp && !numbered[w] {
                                stamp[w] = currentStamp
                                queue[tail] = w; tail += 1
                            }
                        }
                    }
                }
                return (levels, levelStart, tail)
            }

            var neighbourBuffer: [(degree: Int, vertex: Int)] = []
            for seed in 0..<n where !numbered[seed] {
                // Start from a vertex of minimum degree in this component.
                var (levels, lastStart, end) = levelStructure(seed)
                var root = seed
                for k in 0..<end where degree(queue[k]) < degree(root) { root = queue[k] }
                (levels, lastStart, end) = levelStructure(root)
                // George–Liu: move to a minimum-degree vertex of the last level while the eccentricity grows.
                while true {
                    var candidate = queue[lastStart]
                    for k in lastStart..<end where degree(queue[k]) < degree(candidate) { candidate = queue[k] }
                    let next = levelStructure(candidate)
                    if next.levels > levels {
                        root = candidate
                        (levels, lastStart, end) = next
                    } else {
                        break
                    }
                }
                // Cuthill–McKee breadth-first numbering from `root`.
                let first = order.count
                order.append(root)
                numbered[root] = true
                var head = first
                while head < order.count {
                    let v = order[head]; head += 1
                    neighbourBuffer.removeAll(keepingCapacity: true)
                    for p in xadj[v]..<xadj[v + 1] {
                        let w = Int(adj[p])
                        if !numbered[w] {
                            numbered[w] = true
                            neighbourBuffer.append((degree(w), w))
                        }
                    }
                    neighbourBuffer.sort { $0.degree != $1.degree ? $0.degree < $1.degree : $0.vertex < $1.vertex }
                    for entry in neighbourBuffer { order.append(entry.vertex) }
                }
            }
        }
    }
    order.reverse()
    return order
}
