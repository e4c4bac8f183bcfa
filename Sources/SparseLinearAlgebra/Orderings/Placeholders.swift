// Replaced by the orderings work: RCM and AMD.
func reverseCuthillMcKee(_ g: AdjacencyGraph) throws -> [Int] { Array(0..<g.vertexCount) }
func approximateMinimumDegree(_ g: AdjacencyGraph) throws -> [Int] { Array(0..<g.vertexCount) }
