// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "metajob",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "metajob", targets: ["metajob"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Test-only: the loopback HTTP server that plays the VDK Control Service in the remote executor's tests.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // The few system calls Swift cannot make directly (posix_spawn with a process group, pidfd).
        .target(name: "CMetajobSys"),
        // The pure core: definition, parsing, validation, the run's state machine. No I/O.
        .target(
            name: "MetaJobCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // The runner: owns the threads, performs the core's actions through executors, publishes events.
        .target(name: "MetaJobRunner", dependencies: ["MetaJobCore", "CMetajobSys"]),
        // The command-line interface: commands, configuration, printers.
        .target(
            name: "MetaJobCLI",
            dependencies: [
                "MetaJobCore", "MetaJobRunner", "MetaJobHistory", "MetaJobScreen", "MetaJobTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The run history: every run, its jobs, events and output in one SQLite file. Only this module imports GRDB.
        .target(
            name: "MetaJobHistory",
            dependencies: [
                "MetaJobCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The dashboard's pure screen layer: app model, update function, views rendering into a cell buffer. Imports only the core.
        .target(name: "MetaJobScreen", dependencies: ["MetaJobCore"]),
        // libncursesw (wide characters), for the terminal driver only.
        // No pkgConfig: its cflags (-D_XOPEN_SOURCE=600) are flags SwiftPM refuses; the shim defines what it needs.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // The dashboard's terminal driver: the only code that calls ncurses (draws cell buffers, reads keys).
        .target(name: "MetaJobTerminal", dependencies: ["MetaJobScreen", "CNcursesw"]),
        .executableTarget(name: "metajob", dependencies: ["MetaJobCLI"]),
        .testTarget(name: "MetaJobCoreTests", dependencies: ["MetaJobCore"], resources: [.copy("Corpus")]),
        .testTarget(name: "MetaJobRunnerTests", dependencies: ["MetaJobRunner", "MetaJobCore", "MetaJobTestSupport"]),
        .testTarget(name: "MetaJobHistoryTests", dependencies: ["MetaJobHistory", "MetaJobRunner", "MetaJobCore", "MetaJobTestSupport"]),
        // Test-only helpers shared by the test targets (not part of the product): the one run builder and
        // event collector, the fake executor and the manual clock.
        .target(name: "MetaJobTestSupport", dependencies: ["MetaJobCore", "MetaJobRunner"], path: "Tests/MetaJobTestSupport"),
        .testTarget(name: "MetaJobCLITests", dependencies: [
            "MetaJobCLI", "MetaJobCore", "MetaJobHistory", "MetaJobRunner", "MetaJobScreen", "MetaJobTestSupport",
            .product(name: "FlyingFox", package: "FlyingFox"),
        ]),
        .testTarget(name: "MetaJobRemoteTests", dependencies: [
            "MetaJobRunner", "MetaJobCore", "MetaJobTestSupport",
            .product(name: "FlyingFox", package: "FlyingFox"),
        ]),
        .testTarget(name: "MetaJobTerminalTests", dependencies: ["MetaJobTerminal", "MetaJobScreen", "CNcursesw"]),
        // Snapshots/ is read through #filePath (re-recorded with METAJOB_RECORD_SNAPSHOTS=1), not bundled.
        .testTarget(name: "MetaJobScreenTests", dependencies: ["MetaJobScreen", "MetaJobCore"], exclude: ["Snapshots"]),
    ]
)
