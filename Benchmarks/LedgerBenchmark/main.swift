import Foundation

// ledger-bench: measures the ledger on a W1M workload and prints "metric value" lines.
do {
    let options = try BenchmarkOptions(arguments: Array(CommandLine.arguments.dropFirst()))
    if options.analysis {
        try AnalysisBenchmark(options: options).run()
    } else if options.soak {
        try SoakBenchmark(options: options).run()
    } else {
        try Benchmark(options: options).run()
    }
} catch UsageError.helpRequested {
    print(BenchmarkOptions.usage)
} catch UsageError.invalid(let message) {
    FileHandle.standardError.write(Data("ledger-bench: \(message)\n\(BenchmarkOptions.usage)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("ledger-bench: \(error)\n".utf8))
    exit(1)
}
