package io.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tally rerun <jobId>}: runs a job's pipeline again on the same source, as a new job. */
@Command(name = "rerun", mixinStandardHelpOptions = true,
        description = "Triggers a job's pipeline again on the same source; prints the new job id.")
public class RerunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;
    @Mixin
    ApiOptions api;
    @Parameters(paramLabel = "JOB_ID", description = "The job to run again.")
    String jobId;

    @Override
    public Integer call() {
        return ApiOptions.run(spec, () -> {
            JsonNode accepted = api.post("/api/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8)
                    + "/rerun", null);
            spec.commandLine().getOut().println("rerun of " + jobId + " accepted: job " + accepted.path("jobId").asText()
                    + " (trigger " + accepted.path("triggerId").asText() + "); follow it with: tally jobs show "
                    + accepted.path("jobId").asText());
        });
    }
}
