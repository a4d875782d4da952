import Foundation

/// Memory, I/O and time figures of this process, read from Linux `/proc/self`.
enum ProcessMetrics {
    /// Returns the value of a `kB` field of `/proc/self/status` (such as `VmHWM`) in MiB, or -1
    /// when the field is missing.
    static func statusMiB(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kibibytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            return (kibibytes.flatMap { Double($0) } ?? -1) / 1024
        }
        return -1
    }

    /// Resets `VmHWM` to the current resident size by writing 5 to `/proc/self/clear_refs`
    /// (Linux 4.0 and later). Returns false when the kernel rejects the write, so that the peak
    /// still covers the whole run so far.
    static func resetPeakResidentSize() -> Bool {
        let descriptor = open("/proc/self/clear_refs", O_WRONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return write(descriptor, "5", 1) == 1
    }

    /// Returns the bytes this process caused to be written to storage (`write_bytes` of
    /// `/proc/self/io`), or -1 when the kernel does not report it.
    static func storageWriteBytes() -> Int64 { ioCounter("write_bytes") }

    /// Returns the bytes this process passed to write system calls (`wchar` of `/proc/self/io`),
    /// or -1 when the kernel does not report it.
    static func writeCallBytes() -> Int64 { ioCounter("wchar") }

    private static func ioCounter(_ name: String) -> Int64 {
        guard let io = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return -1 }
        for line in io.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int64(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)) ?? -1
        }
        return -1
    }

    /// Returns the user and system CPU time of this process so far (`getrusage`).
    static func cpuSeconds() -> CPUTime {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
    }

    /// Gives freed heap memory back to the kernel with glibc's `malloc_trim(0)`, so that the resident
    /// size of the next phase does not include memory an earlier phase freed. Does nothing when
    /// the C library has no `malloc_trim`.
    static func releaseFreedMemory() {
        // Foundation's Glibc module does not import malloc.h, so the function is looked up by name.
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return }
        let mallocTrim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        _ = mallocTrim(0)
    }

    /// Returns the seconds on `CLOCK_MONOTONIC`, for phase timings.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Returns the size of the file at `path` in bytes, or -1 when it cannot be read.
    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : -1
    }
}

/// User and system CPU time in seconds.
struct CPUTime {
    var user: Double
    var system: Double

    static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
    }
}
