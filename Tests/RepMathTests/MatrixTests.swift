import Testing
import RepMath

@Suite("Matrix and DoubleMatrix")
struct MatrixTests {
  @Test("row-major layout, subscripts and transposes")
  func layout() {
    var m = Matrix(rows: 2, columns: 3, storage: [1, 2, 3, 4, 5, 6])
    #expect(m[1, 0] == 4)
    m[0, 2] = 9
    #expect(m.storage == [1, 2, 9, 4, 5, 6])
    #expect(m.transposed() == Matrix(rows: 3, columns: 2, storage: [1, 4, 2, 5, 9, 6]))
    #expect(Matrix(rows: 0, columns: 5).transposed() == Matrix(rows: 5, columns: 0))
    var generator = SplitMix64(seed: 1)
    let big = DoubleMatrix.random(rows: 70, columns: 45, using: &generator)
    #expect(big.transposed().transposed() == big)
    #expect(big.transposed()[44, 69] == big[69, 44])
  }

  @Test("DoubleMatrix algebra")
  func algebra() {
    let a = DoubleMatrix(rows: 2, columns: 2, storage: [1, 2, 3, 4])
    #expect(a.trace == 5)
    #expect(a.frobeniusNormSquared == 30)
    #expect(a.diagonal == [1, 4])
    #expect(DoubleMatrix.identity(2) == DoubleMatrix(diagonal: [1, 1]))
    #expect(a + a == 2 * a)
    #expect(a - a == DoubleMatrix(rows: 2, columns: 2))
    #expect(DoubleMatrix(Matrix(a)) == a)
    #expect(DoubleMatrix(rows: 2, columns: 3, storage: [1, 0, 0, 0, 2, 0]).trace == 3)
  }

  @Test("a storage of the wrong size traps")
  func wrongStorageTraps() async {
    await #expect(processExitsWith: .failure) { _ = Matrix(rows: 2, columns: 2, storage: [1, 2, 3]) }
    await #expect(processExitsWith: .failure) { _ = DoubleMatrix(rows: 1, columns: 1)[1, 0] }
  }
}
