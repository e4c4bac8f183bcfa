// Shape functions of the Lagrange and serendipity elements (Zienkiewicz, Taylor & Zhu,
// "The Finite Element Method: Its Basis and Fundamentals", 7th ed., §6.3–6.5).

/// 1D quadratic Lagrange polynomial on nodes {−1, 0, 1} for the node at `t0`, and its derivative.
@inline(__always)
func quadratic1D(_ t: Double, _ t0: Double) -> (Double, Double) {
    if t0 < -0.5 { return (0.5 * t * (t - 1), t - 0.5) }
    if t0 > 0.5 { return (0.5 * t * (t + 1), t + 0.5) }
    return (1 - t * t, -2 * t)
}

func _evaluateCellBasis(_ type: CellType, _ xi: SIMD3<Double>, _ values: UnsafeMutablePointer<Double>?, _ gradients: UnsafeMutablePointer<Double>?) {
    let x = xi.x, y = xi.y, z = xi.z
    switch type {
    case .hex8:
        let ref = referenceNodeTable[0]
        for a in 0..<8 {
            let r = ref[a]
            let fx = 1 + x * r.x, fy = 1 + y * r.y, fz = 1 + z * r.z
            values?[a] = 0.125 * fx * fy * fz
            if let g = gradients {
                g[3 * a] = 0.125 * r.x * fy * fz
                g[3 * a + 1] = 0.125 * fx * r.y * fz
                g[3 * a + 2] = 0.125 * fx * fy * r.z
            }
        }
    case .hex20:
        let ref = referenceNodeTable[1]
        for a in 0..<20 {
            let r = ref[a]
            if a < 8 {
                let fx = 1 + x * r.x, fy = 1 + y * r.y, fz = 1 + z * r.z
                let s = x * r.x + y * r.y + z * r.z - 2
                values?[a] = 0.125 * fx * fy * fz * s
                if let g = gradients {
                    g[3 * a] = 0.125 * r.x * fy * fz * (s + fx)
                    g[3 * a + 1] = 0.125 * fx * r.y * fz * (s + fy)
                    g[3 * a + 2] = 0.125 * fx * fy * r.z * (s + fz)
                }
            } else if r.x == 0 {
                let bx = 1 - x * x, fy = 1 + y * r.y, fz = 1 + z * r.z
                values?[a] = 0.25 * bx * fy * fz
                if let g = gradients {
                    g[3 * a] = -0.5 * x * fy * fz
                    g[3 * a + 1] = 0.25 * bx * r.y * fz
                    g[3 * a + 2] = 0.25 * bx * fy * r.z
                }
            } else if r.y == 0 {
                let fx = 1 + x * r.x, by = 1 - y * y, fz = 1 + z * r.z
                values?[a] = 0.25 * fx * by * fz
                if let g = gradients {
                    g[3 * a] = 0.25 * r.x * by * fz
                    g[3 * a + 1] = -0.5 * y * fx * fz
                    g[3 * a + 2] = 0.25 * fx * by * r.z
                }
            } else {
                let fx = 1 + x * r.x, fy = 1 + y * r.y, bz = 1 - z * z
                values?[a] = 0.25 * fx * fy * bz
                if let g = gradients {
                    g[3 * a] = 0.25 * r.x * fy * bz
                    g[3 * a + 1] = 0.25 * fx * r.y * bz
                    g[3 * a + 2] = -0.5 * z * fx * fy
                }
            }
        }
    case .hex27:
        let ref = referenceNodeTable[2]
        for a in 0..<27 {
            let r = ref[a]
            let (lx, dx) = quadratic1D(x, r.x), (ly, dy) = quadratic1D(y, r.y), (lz, dz) = quadratic1D(z, r.z)
            values?[a] = lx * ly * lz
            if let g = gradients {
                g[3 * a] = dx * ly * lz
                g[3 * a + 1] = lx * dy * lz
                g[3 * a + 2] = lx * ly * dz
            }
        }
    case .tet4:
        if let v = values { v[0] = 1 - x - y - z; v[1] = x; v[2] = y; v[3] = z }
        if let g = gradients {
            g[0] = -1; g[1] = -1; g[2] = -1
            g[3] = 1; g[4] = 0; g[5] = 0
            g[6] = 0; g[7] = 1; g[8] = 0
            g[9] = 0; g[10] = 0; g[11] = 1
        }
    case .tet10:
        let l = [1 - x - y - z, x, y, z]
        let dl: [SIMD3<Double>] = [SIMD3(-1, -1, -1), SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)]
        for i in 0..<4 {
            values?[i] = l[i] * (2 * l[i] - 1)
            if let g = gradients {
                let d = (4 * l[i] - 1) * dl[i]
                g[3 * i] = d.x; g[3 * i + 1] = d.y; g[3 * i + 2] = d.z
            }
        }
        for (k, e) in tetEdges.enumerated() {
            let a = 4 + k
            values?[a] = 4 * l[e.0] * l[e.1]
            if let g = gradients {
                let d = 4 * (l[e.0] * dl[e.1] + l[e.1] * dl[e.0])
                g[3 * a] = d.x; g[3 * a + 1] = d.y; g[3 * a + 2] = d.z
            }
        }
    }
}

let quadReference: [SIMD2<Double>] = FaceType.quad9.referenceNodes

func _evaluateFaceBasis(_ type: FaceType, _ s: SIMD2<Double>, _ values: UnsafeMutablePointer<Double>?, _ gradients: UnsafeMutablePointer<Double>?) {
    let x = s.x, y = s.y
    switch type {
    case .quad4:
        for a in 0..<4 {
            let r = quadReference[a]
            let fx = 1 + x * r.x, fy = 1 + y * r.y
            values?[a] = 0.25 * fx * fy
            if let g = gradients { g[2 * a] = 0.25 * r.x * fy; g[2 * a + 1] = 0.25 * fx * r.y }
        }
    case .quad8:
        for a in 0..<8 {
            let r = quadReference[a]
            if a < 4 {
                let fx = 1 + x * r.x, fy = 1 + y * r.y, t = x * r.x + y * r.y - 1
                values?[a] = 0.25 * fx * fy * t
                if let g = gradients {
                    g[2 * a] = 0.25 * r.x * fy * (t + fx)
                    g[2 * a + 1] = 0.25 * fx * r.y * (t + fy)
                }
            } else if r.x == 0 {
                let fy = 1 + y * r.y
                values?[a] = 0.5 * (1 - x * x) * fy
                if let g = gradients { g[2 * a] = -x * fy; g[2 * a + 1] = 0.5 * (1 - x * x) * r.y }
            } else {
                let fx = 1 + x * r.x
                values?[a] = 0.5 * fx * (1 - y * y)
                if let g = gradients { g[2 * a] = 0.5 * r.x * (1 - y * y); g[2 * a + 1] = -y * fx }
            }
        }
    case .quad9:
        for a in 0..<9 {
            let r = quadReference[a]
            let (lx, dx) = quadratic1D(x, r.x), (ly, dy) = quadratic1D(y, r.y)
            values?[a] = lx * ly
            if let g = gradients { g[2 * a] = dx * ly; g[2 * a + 1] = lx * dy }
        }
    case .tri3:
        if let v = values { v[0] = 1 - x - y; v[1] = x; v[2] = y }
        if let g = gradients { g[0] = -1; g[1] = -1; g[2] = 1; g[3] = 0; g[4] = 0; g[5] = 1 }
    case .tri6:
        let l = [1 - x - y, x, y]
        let dl: [SIMD2<Double>] = [SIMD2(-1, -1), SIMD2(1, 0), SIMD2(0, 1)]
        for i in 0..<3 {
            values?[i] = l[i] * (2 * l[i] - 1)
            if let g = gradients { let d = (4 * l[i] - 1) * dl[i]; g[2 * i] = d.x; g[2 * i + 1] = d.y }
        }
        let edges = [(0, 1), (1, 2), (2, 0)]
        for (k, e) in edges.enumerated() {
            let a = 3 + k
            values?[a] = 4 * l[e.0] * l[e.1]
            if let g = gradients {
                let d = 4 * (l[e.0] * dl[e.1] + l[e.1] * dl[e.0])
                g[2 * a] = d.x; g[2 * a + 1] = d.y
            }
        }
    }
}
