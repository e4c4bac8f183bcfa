import Testing
import Foundation
import SpineModel
@testable import Biomechanics
import FiniteElements
import SparseLinearAlgebra

/// Assembly of the coarse L4-L5 motion segment (biphasic disc with Donnan swelling, fibre-reinforced
/// annulus, rigid vertebrae tied to the endplates, fluid exchange at the endplates) with the
/// default ``AssemblyStrategy/ordered``: the element matrices and vectors are computed on several
/// threads, and the assembled tangent and right-hand side are bitwise those of the one-thread
/// loop (reference: `Assembler(threads: 1)`, which computes and adds cell by cell on the caller).
@Suite("Ordered assembly on the motion segment")
struct OrderedAssemblyTests {
    @Test func motionSegmentTangentIsBitwiseSerial() throws {
        let patient = try Patient(bodyMassKg: 70, heightCm: 175, discGrade: .ii, level: .l4l5)
        let model = try MotionSegment.lumbar(.l4l5, patient: patient, mesh: .coarse)
        let problem = try BiphasicSimulation(model: model).problem
        let assembler = try #require(problem.assembler)
        #expect(assembler.strategy == .ordered)
        let numbering = try #require(problem.numbering)
        // A state away from the reference: small smooth displacements, pressures and vertebra motion.
        let n = problem.unknownCount
        let x = (0..<n).map { 2e-3 * sin(0.37 * Double($0)) }
        let x0 = (0..<n).map { 1e-3 * cos(0.11 * Double($0)) }
        let dt = 0.5
        let kernel = problem.makeKernel(values: problem.dofValues(unknowns: x, time: 1), previous: problem.dofValues(unknowns: x0, time: 1 - dt),
                                        timeStep: dt)
        func assemble(_ a: Assembler) throws -> (SymmetricMatrix, [Double], [Double]) {
            var k = a.makeMatrix(), rhs = a.makeVector()
            try a.assemble(matrix: &k, rhs: &rhs) { c, s, ke, fe in try kernel(c, s, fe, ke) }
            var residualOnly = a.makeVector()
            try a.assembleVector(rhs: &residualOnly) { c, s, _, fe in try kernel(c, s, fe, nil) }
            return (k, rhs, residualOnly)
        }
        let serial = try Assembler(dofMap: problem.dofMap, numbering: numbering, threads: 1)
        let (k1, f1, r1) = try assemble(serial)
        #expect(k1.values.contains { $0 != 0 } && f1.contains { $0 != 0 })
        // The residual-only kernel path (no tangent) agrees with the full one to rounding.
        let scale = f1.map(abs).max()!
        let residualGap = zip(r1, f1).map { abs($0 - $1) }.max()!
        #expect(residualGap <= 1e-12 * scale, "residual-only vs full: \(residualGap) of \(scale)")
        for threads in [2, 3] {
            let ordered = try Assembler(dofMap: problem.dofMap, numbering: numbering, threads: threads, strategy: .ordered)
            let (k, f, r) = try assemble(ordered)
            #expect(k.values == k1.values, "\(threads) threads: tangent")
            #expect(f == f1, "\(threads) threads: residual with the tangent")
            #expect(r == r1, "\(threads) threads: residual only")
        }
        // The problem's own evaluation (its assembler, threads from ThreadBudget) twice: bitwise equal.
        var t1: SymmetricMatrix? = problem.tangentPattern(), t2: SymmetricMatrix? = problem.tangentPattern()
        var res1 = [Double](repeating: 0, count: n), res2 = res1
        try problem.evaluate(x, previous: x0, time: 1, timeStep: dt, residual: &res1, tangent: &t1)
        try problem.evaluate(x, previous: x0, time: 1, timeStep: dt, residual: &res2, tangent: &t2)
        #expect(res1 == res2 && t1!.values == t2!.values)
    }
}
