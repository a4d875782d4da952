import Testing
@testable import LedgerCommandLine

@Suite("ExitCode")
struct ExitCodeTests {
    @Test func rawValuesFollowSysexits() {
        #expect(ExitCode.success.rawValue == 0)
        #expect(ExitCode.failure.rawValue == 1)
        #expect(ExitCode.usage.rawValue == 64)
        #expect(ExitCode.dataError.rawValue == 65)
        #expect(ExitCode.notFound.rawValue == 66)
        #expect(ExitCode.internal.rawValue == 70)
        #expect(ExitCode.ioError.rawValue == 74)
        #expect(ExitCode.conflict.rawValue == 75)
        #expect(ExitCode.permission.rawValue == 77)
    }

    @Test func rawValuesAreDistinct() {
        let rawValues = ExitCode.allCases.map(\.rawValue)
        #expect(Set(rawValues).count == rawValues.count)
        #expect(rawValues.count == 9)
    }
}
