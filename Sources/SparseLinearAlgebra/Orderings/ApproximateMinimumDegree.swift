/// Approximate minimum degree ordering (`permutation[new] = old`).
///
/// Follows Amestoy, Davis & Duff, "An approximate minimum degree ordering
/// algorithm", SIAM J. Matrix Anal. Appl. 17(4):886–905 (1996), written from
/// the paper's description:
///
/// - **Quotient graph.** Eliminated pivots become *elements*; each remaining
///   *variable* `i` keeps the elements it touches (`Eᵢ`) and the original edges
///   not yet covered by an element (`Aᵢ`); each element `e` keeps its variables
///   (`Lₑ`). Eliminating `p` forms `Lₚ = (Aₚ ∪ ⋃_{e∈Eₚ} Lₑ) \ {p}` and absorbs
///   every `e ∈ Eₚ` into `p` (element absorption), so storage never grows.
/// - **Approximate external degree** (paper eq. 4): for `i ∈ Lₚ`,
///   `d̄ᵢ = min(n − k, d̄ᵢ_old + |Lₚ \ i|, |Aᵢ \ i| + |Lₚ \ i| + Σ_{e∈Eᵢ\p} |Lₑ \ Lₚ|)`,
///   with all `|Lₑ \ Lₚ|` found in one scan of the elements adjacent to `Lₚ`
///   (the paper's Algorithm 2). Sizes are weighted by supervariable size.
/// - **Aggressive absorption** (on by default, as in the AMD package): an
///   element `e` with `Lₑ ⊆ Lₚ` is absorbed into `p` during that scan.
/// - **Supervariables.** Variables of `Lₚ` with equal `Eᵢ` and `Aᵢ` are
///   indistinguishable; candidates are grouped by the hash `Σ Eᵢ + Σ Aᵢ` and
///   compared exactly, and merged into one supervariable (weight `nvᵢ`).
/// - **Mass elimination.** A variable of `Lₚ` whose only element is `p` and
///   whose `Aᵢ` is empty after pruning is eliminated together with `p`.
/// - **Dense rows.** As in AMD (Amestoy, Davis & Duff 2004, ACM TOMS
///   30:381), vertices of degree above `max(16, denseFactor·√n)` (default
///   `denseFactor = 10`) are removed before ordering and placed last; a
///   negative `denseFactor` disables this.
///
/// The elimination order is the pivot order with each supervariable's members
/// and mass-eliminated variables numbered right after their pivot. There is
/// no final postorder of the assembly tree: it would not change `nnz(L)`.
func approximateMinimumDegree(_ g: AdjacencyGraph, denseFactor: Double = 10, aggressiveAbsorption: Bool = true) throws -> [Int] {
    let n = g.vertexCount
    if n == 0 { return [] }

    // Node states.
    let variable: UInt8 = 0, element: UInt8 = 1, dead: UInt8 = 2, denseNode: UInt8 = 3
    // Per-node scratch lives in raw buffers (freed on return): the hot loops index them without bounds checks.
    let kind = scratchBuffer(n, variable)
    let nv = scratchBuffer(n, 1)             // supervariable weight (0: nonprincipal/eliminated)
    var adjacentVariables = [[Int32]](repeating: [], count: n) // Aᵢ
    var adjacentElements = [[Int32]](repeating: [], count: n)  // Eᵢ
    var elementVariables = [[Int32]](repeating: [], count: n)  // Lₑ
    let degree = scratchBuffer(n, 0)          // d̄ᵢ for variables, |Lₑ| (weighted) for elements
    let memberNext = scratchBuffer(n, -1)     // members of a supervariable, chained
    let memberTail = scratchBuffer(n, 0)
    for v in 0..<n { memberTail[v] = v }
    var order = [Int]()
    order.reserveCapacity(n)

    // Dense rows.
    var denseNodes = [Int]()
    if denseFactor >= 0 {
        let threshold = max(16.0, denseFactor * Double(n).squareRoot())
        for v in 0..<n where Double(g.starts[v + 1] - g.starts[v]) > threshold {
            kind[v] = denseNode
            denseNodes.append(v)
        }
    }
    let activeCount = n - denseNodes.count

    // Degree lists: doubly linked buckets by approximate degree.
    let head = scratchBuffer(n + 1, -1)
    let next = scratchBuffer(n, -1)
    let prev = scratchBuffer(n, -1)
    func insert(_ i: Int, _ d: Int) {
        next[i] = head[d]; prev[i] = -1
        if head[d] >= 0 { prev[head[d]] = i }
        head[d] = i
    }
    func remove(_ i: Int) {
        let d = degree[i]
        if prev[i] >= 0 { next[prev[i]] = next[i] } else { head[d] = next[i] }
        if next[i] >= 0 { prev[next[i]] = prev[i] }
    }

    for v in 0..<n where kind[v] == variable {
        var list = [Int32]()
        list.reserveCapacity(g.starts[v + 1] - g.starts[v])
        for p in g.starts[v]..<g.starts[v + 1] where kind[Int(g.neighbours[p])] != denseNode {
            list.append(g.neighbours[p])
        }
        adjacentVariables[v] = list
        degree[v] = list.count
        insert(v, list.count)
    }

    // Scratch: inLp[i] == step marks membership of the current pivot's Lₚ;
    // (wStamp, wValue) hold |Lₑ \ Lₚ| for elements touched this step;
    // seen[] marks sets during supervariable comparison.
    let inLp = scratchBuffer(n, -1)
    let wStamp = scratchBuffer(n, -1)
    let wValue = scratchBuffer(n, 0)
    let seen = scratchBuffer(n, -1)
    var seenStamp = 0
    let hashOf = scratchBuffer(n, 0)
    defer {
        for buffer in [nv, degree, memberNext, memberTail, head, next, prev, inLp, wStamp, wValue, seen, hashOf] { buffer.deallocate() }
        kind.deallocate()
    }
    var eliminated = 0
    var minDegree = 0
    var step = 0
    var lp = [Int32]()

    func emitMembers(_ i: Int) {
        var m = i
        while m >= 0 { order.append(m); m = memberNext[m] }
    }

    while eliminated < activeCount {
        step += 1
        // 1. Pivot of minimum approximate degree.
        while head[minDegree] < 0 { minDegree += 1 }
        let p = head[minDegree]
        remove(p)
        eliminated += nv[p]
        emitMembers(p)

        // 2. Form the new element Lₚ, absorbing the elements of Eₚ.
        lp.removeAll(keepingCapacity: true)
        var degreeOfElement = 0
        inLp[p] = step
        for e32 in adjacentElements[p] {
            let e = Int(e32)
            guard kind[e] == element else { continue }
            for i32 in elementVariables[e] {
                let i = Int(i32)
                if kind[i] == variable && nv[i] > 0 && inLp[i] != step {
                    inLp[i] = step; lp.append(i32); degreeOfElement += nv[i]
                }
            }
            kind[e] = dead
            elementVariables[e] = []
        }
        for j32 in adjacentVariables[p] {
            let j = Int(j32)
            if kind[j] == variable && nv[j] > 0 && inLp[j] != step {
                inLp[j] = step; lp.append(j32); degreeOfElement += nv[j]
            }
        }
        adjacentVariables[p] = []
        adjacentElements[p] = []
        kind[p] = element
        for i32 in lp { remove(Int(i32)) }

        // 3. |Lₑ \ Lₚ| for every element adjacent to Lₚ (Algorithm 2 of the paper).
        for i32 in lp {
            let i = Int(i32)
            for e32 in adjacentElements[i] {
                let e = Int(e32)
                guard kind[e] == element else { continue }
                if wStamp[e] != step { wStamp[e] = step; wValue[e] = degree[e] }
                wValue[e] -= nv[i]
            }
        }

        // 4. Prune Eᵢ and Aᵢ, bound the degree, mass-eliminate, hash.
        for i32 in lp {
            let i = Int(i32)
            var externalDegree = 0
            var hash = p
            // Compact Eᵢ and Aᵢ in place (moved out of the outer arrays so they stay uniquely referenced).
            var elementsOfI: [Int32] = []
            swap(&elementsOfI, &adjacentElements[i])
            var kept = 0
            for t in 0..<elementsOfI.count {
                let e32 = elementsOfI[t]
                let e = Int(e32)
                guard kind[e] == element else { continue }
                let outside = max(wValue[e], 0)
                if outside > 0 || !aggressiveAbsorption {
                    externalDegree += outside
                    elementsOfI[kept] = e32; kept += 1
                    hash &+= e
                } else {
                    // Lₑ ⊆ Lₚ: aggressive absorption into p.
                    kind[e] = dead
                    elementVariables[e] = []
                }
            }
            elementsOfI.removeLast(elementsOfI.count - kept)
            elementsOfI.append(Int32(p))
            var variablesOfI: [Int32] = []
            swap(&variablesOfI, &adjacentVariables[i])
            kept = 0
            for t in 0..<variablesOfI.count {
                let j32 = variablesOfI[t]
                let j = Int(j32)
                if kind[j] == variable && nv[j] > 0 && inLp[j] != step {
                    externalDegree += nv[j]
                    variablesOfI[kept] = j32; kept += 1
                    hash &+= j
                }
            }
            variablesOfI.removeLast(variablesOfI.count - kept)
            if elementsOfI.count == 1 && variablesOfI.isEmpty {
                // Mass elimination: i is indistinguishable from p.
                eliminated += nv[i]
                degreeOfElement -= nv[i]
                emitMembers(i)
                nv[i] = 0
                kind[i] = dead
            } else {
                adjacentElements[i] = elementsOfI
                adjacentVariables[i] = variablesOfI
                degree[i] = min(degree[i], externalDegree)
                hashOf[i] = hash
            }
        }
        lp.removeAll { nv[Int($0)] == 0 }

        // 5. Supervariable detection among the variables of Lₚ.
        if lp.count > 1 {
            lp.sort { hashOf[Int($0)] < hashOf[Int($1)] }
            var start = 0
            while start < lp.count {
                var end = start + 1
                while end < lp.count && hashOf[Int(lp[end])] == hashOf[Int(lp[start])] { end += 1 }
                if end - start > 1 {
                    for a in start..<(end - 1) {
                        let ia = Int(lp[a])
                        guard nv[ia] > 0 else { continue }
                        seenStamp += 1
                        for e in adjacentElements[ia] { seen[Int(e)] = seenStamp }
                        for j in adjacentVariables[ia] { seen[Int(j)] = seenStamp }
                        for b in (a + 1)..<end {
                            let ib = Int(lp[b])
                            guard nv[ib] > 0,
                                  adjacentElements[ib].count == adjacentElements[ia].count,
                                  adjacentVariables[ib].count == adjacentVariables[ia].count else { continue }
                            var same = true
                            for e in adjacentElements[ib] where seen[Int(e)] != seenStamp { same = false; break }
                            if same { for j in adjacentVariables[ib] where seen[Int(j)] != seenStamp { same = false; break } }
                            guard same else { continue }
                            // Merge ib into ia.
                            nv[ia] += nv[ib]
                            nv[ib] = 0
                            kind[ib] = dead
                            memberNext[memberTail[ia]] = ib
                            memberTail[ia] = memberTail[ib]
                            adjacentElements[ib] = []
                            adjacentVariables[ib] = []
                        }
                    }
                }
                start = end
            }
            lp.removeAll { nv[Int($0)] == 0 }
        }

        // 6. Final approximate degrees; Lₚ becomes the element's variable list.
        let remaining = activeCount - eliminated
        for i32 in lp {
            let i = Int(i32)
            let d = min(degree[i] + degreeOfElement - nv[i], remaining - nv[i])
            degree[i] = d
            insert(i, d)
            if d < minDegree { minDegree = d }
        }
        elementVariables[p] = lp
        degree[p] = degreeOfElement
        if lp.isEmpty { kind[p] = dead }
    }
    order.append(contentsOf: denseNodes)
    return order
}

/// A raw buffer holding `count` copies of `value`; the caller deallocates it.
private func scratchBuffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
    buffer.initialize(repeating: value)
    return buffer
}
