package io.tally.jobsapi.dashboard;

import static io.tally.jobsapi.JobsApiTest.ADMIN_KEY;
import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tally.jobsapi.JobsApiTest;
import io.tally.testsupport.ServiceHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dashboard's Schedules page against a stand-in scheduler (a local HTTP server that records each call and answers
 * like {@code /api/schedules}), over plain HTTP with a signed-in session: the buttons each caller gets, the calls each
 * button makes with the caller's own key, and the scheduler's answers or refusals as flash messages.
 */
@JobsApiTest
class SchedulePagesTest {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final String LIST = """
            [{"name": "daily", "pipeline": "chart", "origin": "config", "enabled": true, "cron": "0 0 8 * * *",
              "zone": "UTC", "parameters": {}, "nextFireTime": "2026-12-04T08:00:00Z"},
             {"name": "chart/hourly", "pipeline": "chart", "origin": "api", "enabled": false, "cron": "0 0 * * * *",
              "zone": "UTC", "parameters": {}, "updatedBy": "bob", "updatedAt": "2026-12-03T01:00:00Z"},
             {"name": "chart/nightly", "pipeline": "chart", "origin": "definition", "enabled": true,
              "cron": "0 0 2 * * *", "zone": "Europe/Berlin", "parameters": {"chart": "hype-100"},
              "nextFireTime": "2026-12-04T01:00:00Z"}]""";

    private static final HttpServer SCHEDULER = start();
    private static final List<String> CALLS = new CopyOnWriteArrayList<>();
    /** Answers by "METHOD path": status and body; anything else is a 404 problem. */
    private static final Map<String, Answer> ANSWERS = new ConcurrentHashMap<>();

    private record Answer(int status, String body) {
    }

    @DynamicPropertySource
    static void schedulerUrl(DynamicPropertyRegistry registry) {
        registry.add("tally.api.dashboard.scheduler-url", () -> "http://127.0.0.1:" + SCHEDULER.getAddress().getPort());
    }

    @Autowired
    ServiceHttp http;

    private HttpClient browser;

    @BeforeEach
    void resetTheScheduler() {
        CALLS.clear();
        ANSWERS.clear();
        ANSWERS.put("GET /api/schedules", new Answer(200, LIST));
    }

    @AfterAll
    static void stopTheScheduler() {
        SCHEDULER.stop(0);
    }

    @Test
    void listsEachScheduleWithItsStateAndOriginAndTheButtonsAUserMayUse() throws Exception {
        // Given a user signed in
        signIn(USER_KEY);

        // When the schedules page opens
        String html = page("/ui/schedules").body();

        // Then the declared enabled one can be disabled and run, the created disabled one enabled and run
        assertThat(row(html, "chart/nightly")).contains("enabled").contains("definition")
                .contains("action=\"/ui/schedules/disable\"").contains("action=\"/ui/schedules/run\"")
                .doesNotContain("action=\"/ui/schedules/enable\"");
        assertThat(row(html, "chart/hourly")).contains("disabled").contains("changed by bob")
                .contains("action=\"/ui/schedules/enable\"").doesNotContain("action=\"/ui/schedules/disable\"");
        // And the configured one has no button, and a user is offered no delete
        assertThat(row(html, "daily")).doesNotContain("<form");
        assertThat(html).doesNotContain("action=\"/ui/schedules/delete\"");
    }

    @Test
    void offersAnAdminADeleteThatAsksFirst() throws Exception {
        // Given an admin signed in
        signIn(ADMIN_KEY);

        // When the schedules page opens
        String html = page("/ui/schedules").body();

        // Then each changeable schedule has a delete form that asks for confirmation first (confirm.js)
        assertThat(row(html, "chart/nightly")).contains("action=\"/ui/schedules/delete\"")
                .contains("data-confirm=\"Delete schedule chart/nightly?");
        assertThat(row(html, "daily")).doesNotContain("delete");
        assertThat(html).contains("/ui/assets/confirm.js");
    }

    @Test
    void disableAndRunNowCallTheSchedulerWithTheCallersKeyAndShowItsAnswer() throws Exception {
        // Given a user signed in, and a scheduler that accepts both
        signIn(USER_KEY);
        ANSWERS.put("POST /api/schedules/chart/nightly/disable", new Answer(200, """
                {"name": "chart/nightly", "pipeline": "chart", "origin": "definition", "enabled": false,
                 "cron": "0 0 2 * * *", "zone": "UTC"}"""));
        ANSWERS.put("POST /api/schedules/chart/nightly/run", new Answer(202, """
                {"triggerId": "manual:abc", "jobId": "chart-20261203-0400-abc"}"""));

        // When the user disables the schedule, then runs it now
        String token = csrf(page("/ui/schedules").body());
        HttpResponse<String> disabled = postForm("/ui/schedules/disable", "schedule=chart/nightly&_csrf=" + token);
        HttpResponse<String> started = postForm("/ui/schedules/run", "schedule=chart/nightly&_csrf=" + token);

        // Then the scheduler got both with the user's key, and the page says what happened
        assertThat(CALLS).filteredOn(call -> call.startsWith("POST")).containsExactly(
                "POST /api/schedules/chart/nightly/disable " + USER_KEY,
                "POST /api/schedules/chart/nightly/run " + USER_KEY);
        assertThat(disabled.body()).contains("Disabled schedule chart/nightly");
        assertThat(started.body()).contains("Started job chart-20261203-0400-abc from schedule chart/nightly")
                .contains("href=\"/ui/jobs/chart-20261203-0400-abc\"");
    }

    @Test
    void deleteNeedsAnAdminAndGoesToTheSchedulerWithTheAdminsKey() throws Exception {
        // Given a user signed in
        signIn(USER_KEY);
        ANSWERS.put("DELETE /api/schedules/chart/hourly", new Answer(204, ""));

        // When the user posts a delete anyway
        HttpResponse<String> refused = postForm("/ui/schedules/delete",
                "schedule=chart/hourly&_csrf=" + csrf(page("/ui/schedules").body()));

        // Then nothing reaches the scheduler and the page says why
        assertThat(refused.body()).contains("Deleting a schedule needs the ADMIN role");
        assertThat(CALLS).noneMatch(call -> call.startsWith("DELETE"));

        // When an admin deletes it
        signIn(ADMIN_KEY);
        HttpResponse<String> deleted = postForm("/ui/schedules/delete",
                "schedule=chart/hourly&_csrf=" + csrf(page("/ui/schedules").body()));

        // Then the scheduler got the delete with the admin's key
        assertThat(CALLS).contains("DELETE /api/schedules/chart/hourly " + ADMIN_KEY);
        assertThat(deleted.body()).contains("Deleted schedule chart/hourly.");
    }

    @Test
    void showsTheSchedulersProblemDetailWhenItRefuses() throws Exception {
        // Given a scheduler that no longer knows the schedule
        signIn(USER_KEY);
        ANSWERS.put("POST /api/schedules/chart/hourly/enable", new Answer(404, """
                {"type": "about:blank", "title": "Not Found", "status": 404,
                 "detail": "schedule 'chart/hourly' is not known; GET /api/schedules lists them"}"""));

        // When the user enables it
        HttpResponse<String> refused = postForm("/ui/schedules/enable",
                "schedule=chart/hourly&_csrf=" + csrf(page("/ui/schedules").body()));

        // Then the page shows the scheduler's reason as an error
        assertThat(refused.body()).contains("class=\"flash error\"")
                .contains("The scheduler refused to enable chart/hourly (404): schedule &#39;chart/hourly&#39; is not"
                        + " known");
    }

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String call = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
                CALLS.add(call + " " + exchange.getRequestHeaders().getFirst("X-API-Key"));
                Answer answer = ANSWERS.getOrDefault(call, new Answer(404, "{\"status\": 404, \"detail\": \"no\"}"));
                byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", answer.status() / 100 == 2 ? "application/json"
                        : "application/problem+json");
                exchange.sendResponseHeaders(answer.status(), answer.status() == 204 ? -1 : body.length);
                if (answer.status() != 204) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void signIn(String key) throws Exception {
        browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        String token = csrf(page("/ui/login").body());
        HttpResponse<String> signedIn = postForm("/ui/login", "username=api-key&apiKey=" + key + "&_csrf=" + token);
        assertThat(signedIn.uri().getPath()).as(signedIn.body()).isEqualTo("/ui");
    }

    /** The table row of one schedule. */
    private static String row(String html, String schedule) {
        int start = html.indexOf("data-schedule=\"" + schedule + "\"");
        assertThat(start).as("row of %s in %s", schedule, html).isNotNegative();
        return html.substring(start, html.indexOf("</tr>", start));
    }

    private static String csrf(String html) {
        Matcher matcher = CSRF.matcher(html);
        assertThat(matcher.find()).as("a CSRF token in %s", html).isTrue();
        return URLEncoder.encode(matcher.group(1), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> page(String path) throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(http.uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String path, String form) throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(http.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
