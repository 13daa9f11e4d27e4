package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.jobs.JobResponse;
import io.tally.jobsapi.view.JobIndex;
import io.tally.events.JobStatus;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes job changes to the dashboard's open job pages as server-sent events (event name {@value #EVENT}, data: the
 * job as {@code GET /api/jobs/{id}} shows it). Changes come from the view's {@link JobIndex} on the global stream
 * thread and are handed to one sender thread at once, so a slow browser never holds the view back.
 * Known gap: events are per instance; behind a load balancer each browser follows the instance it is connected to,
 * which sees every change anyway (every instance holds the whole view).
 */
@Component
public class JobEvents implements SmartLifecycle {

    /** Name of the event carrying a job. */
    public static final String EVENT = "job";

    private final JobIndex index;
    private final DashboardProperties properties;
    private final Map<String, Set<SseEmitter>> emitters = new ConcurrentHashMap<>();
    private final Consumer<JobStatus> listener = this::changed;
    private volatile ExecutorService sender;

    public JobEvents(JobIndex index, DashboardProperties properties) {
        this.index = index;
        this.properties = properties;
    }

    /**
     * A new stream for {@code jobId}, starting with the job as {@code current} reads it (when known). The stream is
     * registered before that read, so no change is lost in between; the page ignores an event older than what it shows.
     */
    public SseEmitter subscribe(String jobId, Supplier<JobResponse> current) {
        SseEmitter emitter = new SseEmitter(properties.liveTimeout().toMillis());
        Set<SseEmitter> forJob = emitters.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet());
        forJob.add(emitter);
        Runnable forget = () -> forJob.remove(emitter);
        emitter.onCompletion(forget);
        emitter.onTimeout(forget);
        emitter.onError(error -> forget.run());
        JobResponse now = current.get();
        if (now != null) {
            send(emitter, now);
        }
        return emitter;
    }

    private void changed(JobStatus status) {
        ExecutorService executor = sender;
        Set<SseEmitter> forJob = emitters.get(status.getJobId());
        if (executor == null || forJob == null || forJob.isEmpty()) {
            return;
        }
        executor.execute(() -> {
            JobResponse job = JobResponse.of(status);
            forJob.forEach(emitter -> send(emitter, job));
        });
    }

    private static void send(SseEmitter emitter, JobResponse job) {
        try {
            emitter.send(SseEmitter.event().name(EVENT).data(job, MediaType.APPLICATION_JSON));
        } catch (IOException | IllegalStateException e) {
            // The browser went away or the stream ended; the completion callback forgets it.
            emitter.completeWithError(e);
        }
    }

    @Override
    public void start() {
        sender = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "tally-api-job-events");
            thread.setDaemon(true);
            return thread;
        });
        index.addListener(listener);
    }

    /** Ends every open stream before the web server's graceful shutdown, which would otherwise wait for them. */
    @Override
    public void stop() {
        index.removeListener(listener);
        emitters.values().forEach(set -> set.forEach(SseEmitter::complete));
        emitters.clear();
        ExecutorService executor = sender;
        sender = null;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return sender != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
