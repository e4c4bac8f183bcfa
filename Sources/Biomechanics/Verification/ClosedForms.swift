import Foundation

/// Closed-form solutions of linear poroelasticity with incompressible
/// constituents (biphasic theory at small strain) used to verify
/// ``BiphasicProblem``. Units mm–N–s–MPa: moduli MPa, permeability
/// mm⁴/(N·s), lengths mm, times s.
///
/// Every series is summed with enough terms that its truncation error is far
/// below the verification tolerances (checked in the tests at `t → 0⁺`).
public enum PoroelasticClosedForm {
    // MARK: Confined compression (Terzaghi; Mow et al. 1980)

    /// Terzaghi consolidation / confined-compression creep of a column of height
    /// `h` (mm), drained at the loaded top `z = h`, impermeable and fixed at the
    /// bottom `z = 0`, under a step compressive stress `σ0` (MPa, positive =
    /// compression) at `t = 0` (Terzaghi 1923; Mow, Kuei, Lai & Armstrong 1980,
    /// J Biomech Eng 102:73, creep solution). With aggregate modulus `H_A` and
    /// `c = H_A k`, `M_m = (2m+1)π/2`:
    /// - pore pressure `p(z,t) = σ0 Σ (2/M_m)(−1)^m cos(M_m z/h) e^{−M_m² c t/h²}`;
    /// - top displacement `u(h,t) = −(σ0 h/H_A)[1 − Σ (2/M_m²) e^{−M_m² c t/h²}]` (mm).
    public struct ConfinedCreep: Sendable {
        /// Column height (mm).
        public var height: Double
        /// Aggregate modulus `H_A` (MPa).
        public var aggregateModulus: Double
        /// Permeability (mm⁴/(N·s)).
        public var permeability: Double
        /// Applied compressive stress (MPa).
        public var stress: Double
        /// Series terms.
        public var terms = 400
        /// The problem.
        public init(height: Double, aggregateModulus: Double, permeability: Double, stress: Double) {
            self.height = height; self.aggregateModulus = aggregateModulus; self.permeability = permeability; self.stress = stress
        }
        /// Consolidation coefficient `c = H_A k` (mm²/s).
        public var consolidationCoefficient: Double { aggregateModulus * permeability }
        /// Fluid pressure (MPa) at height `z` (mm) and time `t` (s, > 0).
        public func pressure(z: Double, t: Double) -> Double {
            let tv = consolidationCoefficient * t / (height * height)
            var s = 0.0
            for m in 0..<terms {
                let mm = (2 * Double(m) + 1) * Double.pi / 2
                s += 2 / mm * (m % 2 == 0 ? 1 : -1) * Foundation.cos(mm * z / height) * Foundation.exp(-mm * mm * tv)
            }
            return stress * s
        }
        /// Displacement of the top (mm, negative = down) at time `t` (s).
        public func topDisplacement(t: Double) -> Double {
            let tv = consolidationCoefficient * t / (height * height)
            var s = 0.0
            for m in 0..<terms {
                let mm = (2 * Double(m) + 1) * Double.pi / 2
                s += 2 / (mm * mm) * Foundation.exp(-mm * mm * tv)
            }
            return -stress * height / aggregateModulus * (1 - s)
        }
    }

    /// Confined-compression creep through a semi-permeable top (Robin condition
    /// `−k ∂p/∂z = L p`, e.g. a cartilage endplate): the consolidation analogue of
    /// conduction with surface exchange (Carslaw & Jaeger 1959, §3.10).
    /// With `Bi = L h/k` and roots `β_n tan β_n = Bi`, `A_n = 2 sin β_n/(β_n + sin β_n cos β_n)`:
    /// `p = σ0 Σ A_n cos(β_n z/h) e^{−β_n² c t/h²}`,
    /// `u(h,t) = −(σ0 h/H_A)[1 − Σ A_n (sin β_n/β_n) e^{−β_n² c t/h²}]`.
    public struct ConfinedCreepSemiPermeable: Sendable {
        /// Column height (mm), aggregate modulus (MPa), permeability (mm⁴/(N·s)),
        /// conductance `L` (mm/(MPa·s)) and applied compressive stress (MPa).
        public var height: Double, aggregateModulus: Double, permeability: Double, conductance: Double, stress: Double
        /// Roots `β_n`.
        public let roots: [Double]
        /// The problem with `terms` roots.
        public init(height: Double, aggregateModulus: Double, permeability: Double, conductance: Double, stress: Double, terms: Int = 400) {
            self.height = height; self.aggregateModulus = aggregateModulus; self.permeability = permeability
            self.conductance = conductance; self.stress = stress
            let bi = conductance * height / permeability
            roots = (0..<terms).map { n in
                bisect(Double(n) * Double.pi + 1e-12, (Double(n) + 0.5) * Double.pi - 1e-12) { b in b * Foundation.sin(b) - bi * Foundation.cos(b) }
            }
        }
        private func coefficient(_ b: Double) -> Double { 2 * Foundation.sin(b) / (b + Foundation.sin(b) * Foundation.cos(b)) }
        /// Pressure (MPa) at height `z` (mm), time `t` (s).
        public func pressure(z: Double, t: Double) -> Double {
            let tv = aggregateModulus * permeability * t / (height * height)
            return stress * roots.reduce(0) { $0 + coefficient($1) * Foundation.cos($1 * z / height) * Foundation.exp(-$1 * $1 * tv) }
        }
        /// Top displacement (mm) at time `t` (s).
        public func topDisplacement(t: Double) -> Double {
            let tv = aggregateModulus * permeability * t / (height * height)
            let s = roots.reduce(0) { $0 + coefficient($1) * Foundation.sin($1) / $1 * Foundation.exp(-$1 * $1 * tv) }
            return -stress * height / aggregateModulus * (1 - s)
        }
    }

    /// Confined compression ramp–relax (Mow et al. 1980; FEBio verification bp04):
    /// the top of a column (height `h`, drained top, impermeable fixed bottom) is
    /// moved down at speed `V0 = depth/rampTime` until `rampTime`, then held. The
    /// compressive stress at the top, for the ramp phase,
    /// `σ(t) = (H_A V0/h)[t + Σ_n 2(1 − e^{−c λ_n t})/(c λ_n)]`, `λ_n = (nπ/h)²`,
    /// and by superposition `σ(t) − σ(t − t0)` in the hold phase.
    /// bp04 (h = 1, H_A = 1, k = 1e-3, depth 0.1 over 100 s): 0.3568, 0.1483, 0.1000 MPa
    /// at t = 100, 200, 1000 s (LITERATURE.md).
    public struct ConfinedRampRelax: Sendable {
        /// Column height (mm).
        public var height: Double
        /// Aggregate modulus (MPa).
        public var aggregateModulus: Double
        /// Permeability (mm⁴/(N·s)).
        public var permeability: Double
        /// Compression depth (mm, positive).
        public var depth: Double
        /// Ramp duration (s).
        public var rampTime: Double
        /// Series terms.
        public var terms = 2000
        /// The problem.
        public init(height: Double, aggregateModulus: Double, permeability: Double, depth: Double, rampTime: Double) {
            self.height = height; self.aggregateModulus = aggregateModulus; self.permeability = permeability; self.depth = depth; self.rampTime = rampTime
        }
        private func ramp(_ t: Double) -> Double {
            guard t > 0 else { return 0 }
            let c = aggregateModulus * permeability
            var s = t
            for n in 1...terms {
                let cl = c * pow(Double(n) * Double.pi / height, 2)
                s += 2 * (1 - Foundation.exp(-cl * t)) / cl
            }
            return aggregateModulus * depth / rampTime / height * s
        }
        /// Compressive stress (MPa) on the top at time `t` (s).
        public func stress(t: Double) -> Double { ramp(t) - ramp(t - rampTime) }
    }

    // MARK: Mandel's problem

    /// Mandel's problem (Mandel 1953; Abousleiman, Cheng, Cui, Detournay & Roegiers
    /// 1996, Géotechnique 46:187; Cheng & Detournay 1988) for incompressible
    /// constituents (Skempton B = 1, undrained ν_u = ½): a plane-strain slab
    /// `|x| ≤ a` between rigid frictionless impermeable plates loaded by a step
    /// force with mean compressive stress `σ0` (MPa), lateral faces drained.
    /// `p(x,t) = 2p0 Σ sin α_n/(α_n − sin α_n cos α_n)·(cos(α_n x/a) − cos α_n)·e^{−α_n² c t/a²}`,
    /// `tan α_n = α_n (1 − ν)/(ν_u − ν)`, `p0 = σ0 B(1 + ν_u)/3 = σ0/2`,
    /// `c = k H_A` (drained ν, aggregate modulus `H_A`). The centre pressure rises
    /// above `p0` first (Mandel–Cryer effect), then decays.
    public struct Mandel: Sendable {
        /// Half-width `a` (mm).
        public var halfWidth: Double
        /// Drained Young's modulus (MPa) and Poisson's ratio.
        public var youngsModulus: Double, poissonRatio: Double
        /// Permeability (mm⁴/(N·s)).
        public var permeability: Double
        /// Mean compressive stress on the plates (MPa).
        public var stress: Double
        /// Roots `α_n`.
        public let roots: [Double]
        /// The problem with `terms` roots.
        public init(halfWidth: Double, youngsModulus: Double, poissonRatio: Double, permeability: Double, stress: Double, terms: Int = 400) {
            self.halfWidth = halfWidth; self.youngsModulus = youngsModulus; self.poissonRatio = poissonRatio
            self.permeability = permeability; self.stress = stress
            let kappa = (1 - poissonRatio) / (0.5 - poissonRatio)
            func g(_ a: Double) -> Double { Foundation.sin(a) - kappa * a * Foundation.cos(a) }
            roots = (1...terms).map { n in
                let lo = n == 1 ? 1e-9 : (Double(n) - 1) * Double.pi, hi = (Double(n) - 0.5) * Double.pi
                return bisect(lo, hi, g)
            }
        }
        /// Aggregate modulus (MPa).
        public var aggregateModulus: Double { youngsModulus * (1 - poissonRatio) / ((1 + poissonRatio) * (1 - 2 * poissonRatio)) }
        /// `c = k H_A` (mm²/s).
        public var consolidationCoefficient: Double { permeability * aggregateModulus }
        /// Initial (undrained) pressure `p0 = σ0/2` (MPa).
        public var initialPressure: Double { stress / 2 }
        /// Pressure (MPa) at `x` (mm) and time `t` (s, > 0).
        public func pressure(x: Double, t: Double) -> Double {
            let tv = consolidationCoefficient * t / (halfWidth * halfWidth)
            var s = 0.0
            for a in roots {
                let e = Foundation.exp(-a * a * tv)
                if e < 1e-300 { break }
                s += Foundation.sin(a) / (a - Foundation.sin(a) * Foundation.cos(a)) * (Foundation.cos(a * x / halfWidth) - Foundation.cos(a)) * e
            }
            return 2 * initialPressure * s
        }
    }

    // MARK: Unconfined compression (Armstrong, Lai & Mow 1984)

    /// Unconfined compression of a biphasic disk (radius `a`) between frictionless
    /// impermeable platens by a step axial strain `ε0` (Armstrong, Lai & Mow 1984,
    /// J Biomech Eng 106:165), lateral surface drained. Laplace-domain solution
    /// inverted by residues (our derivation of their result):
    /// `F(t) = π a² μ ε0 [E/μ + Σ_n 4μH_A e^{−α_n² H_A k t/a²}/(α_n² H_A² − 4μ(H_A − μ))]`,
    /// with `α_n` the roots of Armstrong's characteristic equation
    /// `J1(α) = (H_A/(2μ)) α J0(α)`, i.e. `J1(α) − ((1 − ν)/(1 − 2ν)) α J0(α) = 0`.
    /// Limits: `F(∞) = E ε0 π a²` and `F(0⁺)/F(∞) = 3/(2(1 + ν))` (LITERATURE.md bp05).
    public struct UnconfinedCompression: Sendable {
        /// Radius (mm).
        public var radius: Double
        /// Young's modulus (MPa), Poisson's ratio of the drained solid.
        public var youngsModulus: Double, poissonRatio: Double
        /// Permeability (mm⁴/(N·s)).
        public var permeability: Double
        /// Axial compressive strain (positive).
        public var strain: Double
        /// Roots `α_n`.
        public let roots: [Double]
        /// The problem with `terms` roots.
        public init(radius: Double, youngsModulus: Double, poissonRatio: Double, permeability: Double, strain: Double, terms: Int = 400) {
            self.radius = radius; self.youngsModulus = youngsModulus; self.poissonRatio = poissonRatio
            self.permeability = permeability; self.strain = strain
            let kappa = (1 - poissonRatio) / (1 - 2 * poissonRatio)
            func f(_ x: Double) -> Double { Glibc.j1(x) - kappa * x * Glibc.j0(x) }
            var r: [Double] = []
            var x = 1e-6, fx = f(x)
            let h = 0.01
            while r.count < terms {
                let y = x + h, fy = f(y)
                if fx == 0 || fx.sign != fy.sign { r.append(bisect(x, y, f)) }
                x = y; fx = fy
            }
            roots = r
        }
        private var mu: Double { youngsModulus / (2 * (1 + poissonRatio)) }
        /// Aggregate modulus (MPa).
        public var aggregateModulus: Double { youngsModulus * (1 - poissonRatio) / ((1 + poissonRatio) * (1 - 2 * poissonRatio)) }
        /// Equilibrium force `E ε0 π a²` (N).
        public var equilibriumForce: Double { youngsModulus * strain * Double.pi * radius * radius }
        /// Compressive platen force (N) at time `t` (s, ≥ 0; `t = 0` gives the series at 0⁺).
        public func force(t: Double) -> Double {
            let ha = aggregateModulus, m = mu
            let tv = ha * permeability * t / (radius * radius)
            var s = youngsModulus / m
            for a in roots {
                let e = Foundation.exp(-a * a * tv)
                if e < 1e-300 { break }
                s += 4 * m * ha * e / (a * a * ha * ha - 4 * m * (ha - m))
            }
            return Double.pi * radius * radius * m * strain * s
        }
    }

    // MARK: Donnan swelling

    /// Free swelling in confined compression of a neo-Hookean (FEBio form) charged
    /// solid, drained top, from the reference state to Donnan equilibrium: with
    /// `F = diag(1, 1, λ)`, `J = λ`, the axial effective Cauchy stress
    /// `σ_e = μ(λ − 1/λ) + λ_L ln λ/λ` balances the osmotic pressure `Δπ(λ)` (the
    /// top is traction free, `p = 0`). Returns `λ` (bisection to 1e-14).
    public static func confinedSwellingStretch(youngsModulus e: Double, poissonRatio nu: Double, osmosis: DonnanOsmosis,
                                               solidVolumeFraction phi0: Double) -> Double {
        let mu = e / (2 * (1 + nu)), lam = e * nu / ((1 + nu) * (1 - 2 * nu))
        func g(_ l: Double) -> Double {
            mu * (l - 1 / l) + lam * Foundation.log(l) / l - osmosis.pressure(J: l, solidVolumeFraction: phi0).value
        }
        return bisect(1, 100, g)
    }
}

/// Bisection root of `f` in `[lo, hi]` (signs must differ), to `1e-15` relative.
func bisect(_ lo: Double, _ hi: Double, _ f: (Double) -> Double) -> Double {
    var a = lo, b = hi, fa = f(a)
    for _ in 0..<200 {
        let m = 0.5 * (a + b)
        let fm = f(m)
        if fm == 0 { return m }
        if (fm < 0) == (fa < 0) { a = m; fa = fm } else { b = m }
        if b - a <= 1e-15 * max(1, abs(a)) { break }
    }
    return 0.5 * (a + b)
}
