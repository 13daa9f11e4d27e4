package io.tally.transcribe.http;

import io.tally.transcribe.TranscribeProperties;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client of the seed's asynchronous job services (video-downloader, audio-normalization): a submit that answers a job
 * id, {@code GET /jobs/{id}} until the job is {@code completed} or {@code failed}, then {@code GET /jobs/{id}/download}
 * for the bytes. Every call's 4xx and 5xx go through {@link ServiceFailures}. Polling stops at
 * {@code max-poll-attempts}, at the attempt's deadline, or when the job is cancelled. Known gap: a 5xx while polling
 * fails the whole attempt, and the engine's retry submits the job again (the services have no idempotency key).
 */
public final class AsyncJobClient {

    /** What a status poll says: the job's state, progress (0-100) and whatever else the service told about it. */
    public record JobState(String id, String status, double progress, String error, JsonNode body) {

        boolean completed() {
            return "completed".equalsIgnoreCase(status);
        }

        boolean failed() {
            return "failed".equalsIgnoreCase(status) || "error".equalsIgnoreCase(status);
        }
    }

    /** A finished job's audio: the bytes, the file name the service gave, and its last status. */
    public record Download(byte[] bytes, String fileName, JobState job) {
    }

    private static final Logger log = LoggerFactory.getLogger(AsyncJobClient.class);

    private final RestClient client;
    private final TranscribeProperties.JobService settings;
    private final String service;
    private final String rejectedCode;
    private final String failedCode;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param service      the service's name in messages
     * @param rejectedCode the non-retryable code of a 4xx
     * @param failedCode   the (retryable) code of a job the service reports failed; a stage names it in
     *                     {@code notRetried} when such a failure is final
     */
    public AsyncJobClient(RestClient.Builder builder, TranscribeProperties.JobService settings, String service,
                          String rejectedCode, String failedCode, Clock clock) {
        this.client = HttpClients.withTimeouts(builder, settings.connectTimeout(), settings.readTimeout())
                .baseUrl(settings.baseUrl().toString()).build();
        this.settings = settings;
        this.service = service;
        this.rejectedCode = rejectedCode;
        this.failedCode = failedCode;
        this.clock = clock;
    }

    /**
     * Submits a job, waits for it and downloads its result.
     *
     * @param submit the {@code POST /jobs} call, given this client
     * @return the result, or null when the job was cancelled while it ran
     */
    public Download run(Function<RestClient, RestClient.ResponseSpec> submit, TaskContext context) {
        JobState submitted = call("POST /jobs", () -> read(submit.apply(client).body(String.class)));
        if (submitted.id() == null || submitted.id().isBlank()) {
            throw new TaskFailedException(ServiceFailures.UNAVAILABLE, service + " answered POST /jobs without a job id",
                    true);
        }
        log.info("{} job {} submitted for task {}", service, submitted.id(), context.taskId());
        JobState done = await(submitted, context);
        if (done == null) {
            return null;
        }
        String path = "/jobs/" + done.id() + "/download";
        ResponseEntity<byte[]> response = call("GET " + path,
                () -> client.get().uri("/jobs/{id}/download", done.id()).retrieve().toEntity(byte[].class));
        byte[] bytes = response.getBody() == null ? new byte[0] : response.getBody();
        if (bytes.length == 0) {
            throw new TaskFailedException(ServiceFailures.UNAVAILABLE, service + " answered " + path + " with no bytes",
                    true);
        }
        return new Download(bytes, fileName(response.getHeaders(), done), done);
    }

    private JobState await(JobState submitted, TaskContext context) {
        JobState state = submitted;
        for (int poll = 1; ; poll++) {
            if (state.completed()) {
                return state;
            }
            if (state.failed()) {
                throw new TaskFailedException(failedCode, "%s job %s failed: %s".formatted(service, state.id(),
                        state.error() == null ? "no reason given" : state.error()), true);
            }
            if (context.cancelled()) {
                log.info("{} job {} left running: job {} was cancelled", service, state.id(), context.jobId());
                return null;
            }
            if (poll > settings.maxPollAttempts()) {
                throw new TaskFailedException(ServiceFailures.TIMEOUT, "%s job %s still %s after %d polls"
                        .formatted(service, state.id(), state.status(), settings.maxPollAttempts()), true);
            }
            Instant deadline = context.deadline();
            if (deadline != null && clock.instant().plus(settings.pollInterval()).isAfter(deadline)) {
                throw new TaskFailedException(ServiceFailures.TIMEOUT, "%s job %s still %s at the attempt's deadline %s"
                        .formatted(service, state.id(), state.status(), deadline), true);
            }
            context.progress(Math.round(state.progress()), 100L, service + " " + state.status());
            sleep();
            String id = state.id();
            state = call("GET /jobs/" + id, () -> read(client.get().uri("/jobs/{id}", id).retrieve().body(String.class)));
            if (state.id() == null) {
                state = new JobState(id, state.status(), state.progress(), state.error(), state.body());
            }
        }
    }

    private JobState read(String body) {
        JsonNode node;
        try {
            node = json.readTree(body == null ? "{}" : body);
        } catch (RuntimeException e) {
            throw new TaskFailedException(ServiceFailures.UNAVAILABLE, service + " answered something that is not JSON",
                    true, e);
        }
        // The seed's services say job_id; others say id.
        String id = text(node, "job_id", text(node, "id", null));
        return new JobState(id, text(node, "status", "queued"), node.path("progress").asDouble(0),
                text(node, "error", text(node, "error_message", null)), node);
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asString();
    }

    private static String fileName(HttpHeaders headers, JobState job) {
        ContentDisposition disposition = headers.getContentDisposition();
        if (disposition.getFilename() != null && !disposition.getFilename().isBlank()) {
            return disposition.getFilename();
        }
        String named = text(job.body(), "filename", text(job.body(), "output_file", null));
        return named != null ? named : job.id() + ".audio";
    }

    private <T> T call(String what, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RestClientResponseException e) {
            throw ServiceFailures.of(service, rejectedCode, what, e);
        } catch (ResourceAccessException e) {
            throw ServiceFailures.of(service, what, e);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(settings.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailedException(ServiceFailures.TIMEOUT, service + " polling interrupted", true, e);
        }
    }
}
