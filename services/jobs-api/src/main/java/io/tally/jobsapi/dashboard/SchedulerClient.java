package io.tally.jobsapi.dashboard;

import io.tally.common.security.ApiSecurityProperties;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard's calls to the scheduler ({@code <tally.api.dashboard.scheduler-url>/api/schedules}): the list, and
 * enable, disable, delete and run now for the signed-in caller. The scheduler authenticates with the same shared API
 * keys, so a change is sent with the caller's own key (the configured key of that name and those roles): the scheduler
 * checks the role and records the caller as who made the change. A refused call becomes a {@link SchedulerRefused}
 * carrying the scheduler's problem detail. Known gap: a caller signed in with a key that is no longer configured (the
 * keys changed since) cannot change schedules until they sign in again.
 */
@Component
public class SchedulerClient {

    /**
     * One schedule as the scheduler lists it.
     *
     * @param name         the schedule's name, {@code <pipeline>/<schedule>} for all but configured ones
     * @param pipeline     the pipeline it triggers
     * @param origin       {@code config}, {@code definition} or {@code api}
     * @param enabled      whether it fires
     * @param cron         its cron expression
     * @param zone         the zone the cron is read in
     * @param parameters   the run parameters of each firing
     * @param nextFireTime the next instant it fires, or null if never again (or disabled)
     * @param lastFireTime the last instant it fired, or null if unknown to the answering replica
     * @param updatedBy    who last changed it at run time, or null
     * @param updatedAt    when it was last changed at run time, or null
     */
    public record Schedule(String name, String pipeline, String origin, boolean enabled, String cron, String zone,
            Map<String, String> parameters, Instant nextFireTime, Instant lastFireTime, String updatedBy,
            Instant updatedAt) {

        /** Whether it can be changed at run time: configured schedules cannot. */
        public boolean changeable() {
            return !"config".equals(origin) && name != null && name.contains("/");
        }
    }

    /**
     * A run the scheduler started.
     *
     * @param triggerId the manual trigger's id
     * @param jobId     the job the run becomes
     */
    public record RunStarted(String triggerId, String jobId) {
    }

    /** The scheduler answered a change with an error; {@link #getMessage()} is its problem detail. */
    public static final class SchedulerRefused extends RestClientException {

        private final int status;

        SchedulerRefused(int status, String detail) {
            super(detail);
            this.status = status;
        }

        /** The HTTP status the scheduler answered. */
        public int status() {
            return status;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RestClient http;
    private final List<ApiSecurityProperties.ApiKey> keys;

    public SchedulerClient(DashboardProperties properties, ApiSecurityProperties security) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(properties.schedulerTimeout()).build());
        requests.setReadTimeout(properties.schedulerTimeout());
        this.http = RestClient.builder().baseUrl(properties.schedulerUrl().toString()).requestFactory(requests)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                    throw new SchedulerRefused(response.getStatusCode().value(), detail(response.getStatusCode().value(),
                            new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8)));
                })
                .build();
        this.keys = security.apiKeys();
    }

    /** Every schedule; throws a {@link RestClientException} on failure. The list needs no credentials. */
    public List<Schedule> schedules() {
        List<Schedule> schedules = http.get().uri("/api/schedules").retrieve()
                .body(new ParameterizedTypeReference<List<Schedule>>() { });
        return schedules == null ? List.of() : schedules;
    }

    /** Enables {@code <pipeline>/<schedule>} for {@code caller}. */
    public Schedule enable(String schedule, Authentication caller) {
        return http.post().uri("/api/schedules/{pipeline}/{name}/enable", parts(schedule))
                .header("X-API-Key", keyOf(caller)).retrieve().body(Schedule.class);
    }

    /** Disables {@code <pipeline>/<schedule>} for {@code caller}. */
    public Schedule disable(String schedule, Authentication caller) {
        return http.post().uri("/api/schedules/{pipeline}/{name}/disable", parts(schedule))
                .header("X-API-Key", keyOf(caller)).retrieve().body(Schedule.class);
    }

    /** Deletes {@code <pipeline>/<schedule>} for {@code caller} (the scheduler requires ADMIN). */
    public void delete(String schedule, Authentication caller) {
        http.delete().uri("/api/schedules/{pipeline}/{name}", parts(schedule))
                .header("X-API-Key", keyOf(caller)).retrieve().toBodilessEntity();
    }

    /** Runs {@code <pipeline>/<schedule>}'s pipeline now for {@code caller}, recorded as a manual run. */
    public RunStarted run(String schedule, Authentication caller) {
        return http.post().uri("/api/schedules/{pipeline}/{name}/run", parts(schedule))
                .header("X-API-Key", keyOf(caller)).retrieve().body(RunStarted.class);
    }

    private static Object[] parts(String schedule) {
        int slash = schedule.indexOf('/');
        if (slash <= 0 || slash == schedule.length() - 1 || schedule.indexOf('/', slash + 1) >= 0) {
            throw new SchedulerRefused(400, "'" + schedule + "' is not a <pipeline>/<schedule> name; configured"
                    + " schedules cannot be changed at run time");
        }
        return new Object[] {schedule.substring(0, slash), schedule.substring(slash + 1)};
    }

    /** The configured key of the signed-in caller: the same name and the same roles as the session's. */
    private String keyOf(Authentication caller) {
        Set<String> roles = caller.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("ROLE_")).map(authority -> authority.substring(5))
                .collect(Collectors.toSet());
        Optional<ApiSecurityProperties.ApiKey> key = keys.stream()
                .filter(candidate -> candidate.name().equals(caller.getName()))
                .filter(candidate -> candidate.roles().stream().map(Enum::name).collect(Collectors.toSet()).equals(roles))
                .findFirst();
        return key.orElseThrow(() -> new SchedulerRefused(401, "no configured API key named '" + caller.getName()
                + "' with roles " + roles + "; sign in again")).key();
    }

    private static String detail(int status, String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem.hasNonNull("detail")) {
                return problem.get("detail").asString();
            }
        } catch (RuntimeException e) {
            // Not a problem document (a proxy's HTML page): the status says enough.
        }
        return "the scheduler answered " + status;
    }
}
