# welfare-workers: `make run` runs the main job on the embedded broker, `make test` runs the test suite.
# Both install what is missing first (Debian packages, as root or through sudo).

SWIFT ?= swift

.PHONY: deps build release run run-cluster smoke test bench bench-city bench-cluster fuzz clean

deps:
	@bash ops/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job: embedded broker and the three workers as processes, a sample day, progress and a report.
run: release
	.build/release/welfare-demo

# Beside `make run`: a local PostgreSQL, two instances of each worker on it, one of each killed in the middle.
run-cluster: release
	@bash ops/run-cluster.sh

smoke: release
	@bash ops/smoke.sh

# The tests run against a throwaway PostgreSQL cluster that ops/test-postgres.sh starts and stops around them.
# The three-instance failover runs (a dozen processes) go last, alone, so that they do not starve the tests
# that bound how long something may take.
test: deps
	$(SWIFT) build --build-tests
	bash ops/test-postgres.sh bash -c '$(SWIFT) test --skip-build --skip ClusterFailoverTests && $(SWIFT) test --skip-build --filter ClusterFailoverTests'


bench: release
	.build/release/welfare-bench raw-consume
	.build/release/welfare-bench runtime
	.build/release/welfare-bench volunteer-hours
	.build/release/welfare-bench new-employment-benefits
	.build/release/welfare-bench mutual-aid-claims

# Every worker on top of city-scale stores (years of events; seeding 50 million takes about an hour).
bench-city: release
	@bash ops/city-scale-bench.sh

# Each worker on PostgreSQL with 1, 2 and 3 instances next to SQLite (ops/cluster-bench.sh).
bench-cluster: release
	@bash ops/cluster-bench.sh

# A million mutated events per domain through checks and handlers (no crash, one outcome each).
fuzz: release
	.build/release/welfare-fuzz

clean:
	rm -rf .build
