package io.tally.scheduler.definitions;

/** Test data: the YAML of a one-stage pipeline definition with the given schedules, as the loader reads it. */
final class TestDefinitions {

    private TestDefinitions() {
    }

    /** Version {@code version} of pipeline {@code name}: a chart parameter, {@code schedules}, one stage. */
    static String yaml(String name, int version, String... schedules) {
        return """
                name: %s
                version: %d
                parameters:
                  chart: {type: string, default: top-100}
                schedules:
                %s
                stages:
                  - id: scrape
                    task: scrape-chart
                """.formatted(name, version, String.join("\n", schedules));
    }

    /**
     * One schedule entry, with its chart parameter; null leaves {@code enabled} or {@code missedRuns} to its default.
     */
    static String schedule(String name, String cron, String zone, Boolean enabled, String missedRuns, String chart) {
        return "  - {name: %s, cron: \"%s\", zone: %s%s%s, parameters: {chart: %s}}".formatted(name, cron, zone,
                enabled == null ? "" : ", enabled: " + enabled, missedRuns == null ? "" : ", missedRuns: " + missedRuns,
                chart);
    }
}
