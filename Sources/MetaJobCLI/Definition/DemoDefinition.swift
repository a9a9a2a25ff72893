import Foundation

/// The built-in demo meta job: eleven jobs over four levels that print realistic progress, one flaky job
/// that fails its first `METAJOB_DEMO_FLAKY_FAILURES` attempts (default 1, so its automatic retry succeeds;
/// the dashboard sets 2, so it fails for good and `R` shows an interactive retry), and one check that may fail
/// without failing the run.
public enum DemoDefinition {
    /// Where the demo's definition "lives": it has no file; its jobs run in the temporary directory.
    static var path: String { NSTemporaryDirectory() + "/demo-nightly-sales.yaml" }

    /// The environment variable holding how many attempts of the flaky job fail.
    static let flakyFailuresVariable = "METAJOB_DEMO_FLAKY_FAILURES"

    public static let yaml = """
    # metajob demo: a nightly sales pipeline in miniature.
    name: demo-nightly-sales
    team: demo-team
    max_concurrent_running_jobs: 4
    jobs:
      - job_name: extract-orders
        depends_on: []
        command: |
          for i in 1 2 3 4 5; do echo "fetched orders batch $i/5 ($((i * 2000)) rows)"; sleep 0.3; done
          echo "10000 rows written to staging.orders"
      - job_name: extract-refunds
        depends_on: []
        command: |
          for i in 1 2 3; do echo "fetched refunds page $i/3"; sleep 0.4; done
          echo "412 refunds written to staging.refunds"
      - job_name: extract-customers
        depends_on: []
        command: |
          echo "reading customers changed since yesterday"; sleep 0.5
          echo "1873 customers written to staging.customers"
      - job_name: load-currency-rates
        depends_on: []
        retries: 1
        retry_delay_seconds: 1
        command: |
          echo "connecting to the rates API (attempt $METAJOB_ATTEMPT)"; sleep 0.6
          if [ "$METAJOB_ATTEMPT" -le "${METAJOB_DEMO_FLAKY_FAILURES:-1}" ]; then
            echo "error: rates API answered 503 Service Unavailable" >&2
            exit 1
          fi
          echo "rates for 31 currencies loaded"
      - job_name: clean-orders
        depends_on: [extract-orders]
        command: |
          echo "dropping 37 test orders"; sleep 0.4
          echo "normalising addresses"; sleep 0.4
          echo "9963 clean orders"
      - job_name: clean-refunds
        depends_on: [extract-refunds]
        command: |
          echo "matching refunds to orders"; sleep 0.5
          echo "409 refunds matched, 3 orphaned"
      - job_name: dedupe-customers
        depends_on: [extract-customers]
        command: |
          echo "hashing emails"; sleep 0.3
          echo "merged 21 duplicate customers"
      - job_name: join-sales
        depends_on: [clean-orders, clean-refunds, load-currency-rates]
        command: |
          for step in "joining orders and refunds" "converting to EUR" "aggregating by day"; do echo "$step"; sleep 0.4; done
          echo "sales_daily: 30 rows upserted"
      - job_name: customer-ltv
        depends_on: [dedupe-customers, join-sales]
        command: |
          echo "computing lifetime value for 1852 customers"; sleep 0.6
          echo "customer_ltv refreshed"
      - job_name: data-quality-checks
        depends_on: [join-sales]
        fail_dag_on_error: false
        command: |
          echo "checking sales_daily: no gaps, no negative totals"; sleep 0.3
          echo "all 12 checks passed"
      - job_name: daily-report
        depends_on: [join-sales, customer-ltv]
        arguments: {report_date: "yesterday", recipients: ["sales-leads@example.com"]}
        command: |
          echo "rendering report with arguments $METAJOB_ARGUMENTS"; sleep 0.5
          echo "report sent"
    """
}
