package io.tally.jobsapi.runs;

import java.util.Map;

/** Opens {@link RunTrigger#requestHash} to tests in other packages, so they can play another API instance. */
public final class RunTriggerAccess {

    private RunTriggerAccess() {
    }

    public static String requestHash(String pipeline, Map<String, String> parameters) {
        return RunTrigger.requestHash(pipeline, parameters);
    }
}
