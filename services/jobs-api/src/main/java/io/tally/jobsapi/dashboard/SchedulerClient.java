package io.tally.jobsapi.dashboard;

import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Reads the scheduler's schedules ({@code GET <tally.api.dashboard.scheduler-url>/api/schedules}) for the Schedules
 * page. Known gap: the scheduler has no authentication today, so neither does this call.
 */
@Component
public class SchedulerClient {

    /**
     * One schedule as the scheduler lists it.
     *
     * @param name         the schedule's name
     * @param pipeline     the pipeline it triggers
     * @param cron         its cron expression
     * @param zone         the zone the cron is read in
     * @param parameters   the run parameters of each firing
     * @param nextFireTime the next instant it fires, or null if never again
     * @param lastFireTime the last instant it fired, or null if unknown to the answering replica
     */
    public record Schedule(String name, String pipeline, String cron, String zone, Map<String, String> parameters,
            Instant nextFireTime, Instant lastFireTime) {
    }

    private final RestClient http;

    public SchedulerClient(DashboardProperties properties) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(properties.schedulerTimeout()).build());
        requests.setReadTimeout(properties.schedulerTimeout());
        this.http = RestClient.builder().baseUrl(properties.schedulerUrl().toString()).requestFactory(requests).build();
    }

    /** Every configured schedule; throws a {@link org.springframework.web.client.RestClientException} on failure. */
    public List<Schedule> schedules() {
        List<Schedule> schedules = http.get().uri("/api/schedules").retrieve()
                .body(new ParameterizedTypeReference<List<Schedule>>() { });
        return schedules == null ? List.of() : schedules;
    }
}
