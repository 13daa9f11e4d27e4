package io.tally.jobsapi.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.jobsapi.PipelineFixtures;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.jobsapi.view.JobView;
import io.tally.pipeline.PipelineLoader;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.server.ResponseStatusException;

/**
 * Which parameters a rerun takes: the ones the job stored, never ones guessed for a job that stored none. The 409 for
 * stored parameters the latest version refuses is checked end to end in {@code PipelinesApiIntegrationTest}.
 */
class RerunControllerTest {

    private static final String PIPELINE = "chart";
    private static final Principal ALICE = () -> "alice";

    private final JobView view = mock(JobView.class);
    private final RunTrigger trigger = mock(RunTrigger.class);
    private final PublishedPipelines pipelines = mock(PublishedPipelines.class);
    private final RerunController controller = new RerunController(view, trigger, pipelines);

    @BeforeEach
    void pipelineIsPublished() {
        // date is required, chart must be top-100 or hype-100
        when(pipelines.latest(PIPELINE)).thenReturn(Optional.of(new PublishedPipelines.Versions(
                PipelineLoader.load("test.yml", PipelineFixtures.yaml(PIPELINE, 1, false)), List.of(1))));
        when(trigger.trigger(any(), anyMap(), any(), any())).thenReturn(new RunAccepted("chart-new", "api:new", RunAccepted.QUEUED,
                Map.of("self", "/api/jobs/chart-new")));
    }

    @Test
    void rerunsAnEngineJobWithTheParametersItStored() {
        // Given a job the engine ran with a genre chart
        job("engine-job", Map.of("date", "2026-01-05", "chart", "hype-100", "limit", "10"));
        // When it is rerun
        ResponseEntity<RunAccepted> answer = controller.rerun("engine-job", ALICE);
        // Then a new run of its pipeline is triggered with exactly those parameters, without an Idempotency-Key
        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
        assertThat(answer.getHeaders().getLocation()).hasToString("/api/jobs/chart-new");
        verify(trigger).trigger(eq(PIPELINE), eq(Map.of("date", "2026-01-05", "chart", "hype-100", "limit", "10")),
                isNull(), eq("alice"));
    }

    @Test
    void refusesWith409AJobThatStoredNoParametersAndTriggersNothing() {
        // Given a job created by a JobCreated: no stored parameters, though its source names a date
        JobStatus legacy = job("legacy-job", null);
        legacy.setPipelineVersion(null);
        legacy.setSourceRef("beatport/2024/08/12/top100");
        // When it is rerun, Then it is a 409 saying why and what to do instead, and nothing is triggered
        assertThatThrownBy(() -> controller.rerun("legacy-job", ALICE))
                .isInstanceOfSatisfying(ResponseStatusException.class, refused -> {
                    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(refused.getReason()).contains("legacy-job").contains("stored no run parameters")
                            .contains("POST /api/pipelines/chart/runs with explicit parameters");
                });
        verify(trigger, never()).trigger(any(), anyMap(), any(), any());
    }

    private JobStatus job(String jobId, Map<String, String> parameters) {
        JobStatus job = PipelineFixtures.engineJob(jobId, PIPELINE, 1, JobState.COMPLETED);
        job.setParameters(parameters);
        when(view.job(jobId)).thenReturn(Optional.of(job));
        return job;
    }
}
