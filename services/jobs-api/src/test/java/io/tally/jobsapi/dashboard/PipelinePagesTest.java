package io.tally.jobsapi.dashboard;

import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.events.JobState;
import io.tally.common.topics.Topics;
import io.tally.events.JobStatus;
import io.tally.events.PipelineTriggered;
import io.tally.jobsapi.JobsApiTest;
import io.tally.jobsapi.PipelineFixtures;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The dashboard's stage graphs, Cancel button, end reasons and pipelines page as server-rendered HTML, over plain HTTP
 * with a signed-in session (no browser): the page a browser gets, and the form post it makes with its CSRF token.
 */
@JobsApiTest
class PipelinePagesTest {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    PublishedPipelines pipelines;

    PipelineFixtures fixtures;
    HttpClient browser;

    @BeforeEach
    void signIn() throws Exception {
        fixtures = new PipelineFixtures(kafka);
        browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        String token = csrf(page("/ui/login"));
        HttpResponse<String> signedIn = postForm("/ui/login", "username=api-key&apiKey=" + USER_KEY + "&_csrf=" + token);
        assertThat(signedIn.uri().getPath()).as(signedIn.body()).isEqualTo("/ui");
    }

    @Test
    void aRunningJobShowsItsStageGraphWithStatesAndCountsAndACancelButtonThatRequestsTheCancel() throws Exception {
        // Given version 2 of a pipeline (four stages) and a job running on it with scrape done and search at 3 of 5
        String name = PipelineFixtures.uniqueName("graph");
        publishTwoVersions(name);
        String jobId = "graph-" + UUID.randomUUID();
        fixtures.publish(PipelineFixtures.engineJob(jobId, name, 2, JobState.RUNNING));
        // When its page is shown
        String html = awaitPage("/ui/jobs/" + jobId);
        // Then the graph has the version's four stages in run order, each with its state and counts, and the edges
        assertThat(html).contains("class=\"graph\"");
        assertThat(node(html, "scrape")).contains("s-SUCCEEDED").contains("<span class=\"node-done\">1</span>");
        assertThat(node(html, "search")).contains("s-RUNNING").contains("<span class=\"node-done\">3</span>")
                .contains("<span class=\"node-total\">5</span>").contains("for each").contains("after scrape");
        assertThat(node(html, "notify")).contains("s-PENDING").contains("after scrape, search");
        assertThat(node(html, "archive")).contains("after notify");
        assertThat(html.indexOf("data-stage=\"scrape\"")).isLessThan(html.indexOf("data-stage=\"search\""));
        assertThat(html.indexOf("data-stage=\"search\"")).isLessThan(html.indexOf("data-stage=\"notify\""));
        assertThat(html).contains("id=\"job-pipeline-version\"").contains(" v2");
        // And its Cancel form posts a cancel request with the signed-in caller and the reason given
        assertThat(html).contains("id=\"cancel-form\"");
        HttpResponse<String> afterCancel = postForm("/ui/jobs/" + jobId + "/cancel",
                "reason=" + URLEncoder.encode("wrong chart", StandardCharsets.UTF_8) + "&_csrf=" + csrf(html));
        assertThat(afterCancel.statusCode()).isEqualTo(200);
        assertThat(afterCancel.body()).contains("Cancel requested");
        fixtures.assertOneCancelRequest(jobId, "alice", "wrong chart");
    }

    @Test
    void anEndedJobShowsItsStateAndReasonAndNoCancelButton() throws Exception {
        // Given a job that was cancelled, with the tracker's completion and its reason
        String jobId = "cancelled-" + UUID.randomUUID();
        JobStatus job = PipelineFixtures.engineJob(jobId, "no-definition", 1, JobState.CANCELLED);
        fixtures.publish(job);
        fixtures.completed(job, "cancelled by alice: wrong chart");
        // When its page is shown (once the reason is in the view)
        String html = await().atMost(WAIT).until(() -> page("/ui/jobs/" + jobId),
                response -> response.statusCode() == 200 && response.body().contains("id=\"job-reason\"")).body();
        // Then the state has its own badge class, the reason is shown, and there is nothing to cancel
        assertThat(html).contains("class=\"badge s-CANCELLED\"");
        assertThat(html).contains("cancelled by alice: wrong chart");
        assertThat(html).doesNotContain("id=\"cancel-form\"");
        // And with no published definition of its version there is no graph, only the stage list
        assertThat(html).doesNotContain("class=\"graph\"").contains("id=\"stages\"");
    }

    @Test
    void thePipelinesPageListsEachPipelineAtItsLatestVersionWithItsGraph() throws Exception {
        // Given two versions of a pipeline
        String name = PipelineFixtures.uniqueName("page");
        publishTwoVersions(name);
        // When the pipelines page is shown
        HttpResponse<String> response = page("/ui/pipelines");
        // Then the pipeline is there at version 2 with its parameters and the stages of that version, without states
        assertThat(response.statusCode()).isEqualTo(200);
        String html = response.body();
        int start = html.indexOf("data-pipeline=\"" + name + "\"");
        assertThat(start).as("pipeline %s on the page", name).isNotNegative();
        String section = html.substring(start, html.indexOf("</section>", start));
        assertThat(section).contains(">v2<").contains("1, 2").contains(">date<").contains("required");
        assertThat(section).contains("data-stage=\"archive\"").contains("after scrape, search");
        assertThat(section).doesNotContain("node-state");
        assertThat(html).contains("aria-current=\"page\">Pipelines");
    }

    @Test
    void theRunFormStartsARunWithTheGivenParametersAsTheSignedInCallerAndShowsItsJob() throws Exception {
        // Given a pipeline whose latest version needs a date
        String name = PipelineFixtures.uniqueName("form");
        publishTwoVersions(name);
        String html = page("/ui/pipelines").body();
        assertThat(html).contains("data-run=\"" + name + "\"").contains("name=\"param.date\"");

        // When the form is sent with a date and a blank optional field
        HttpResponse<String> started = postForm("/ui/pipelines/" + name + "/runs",
                "param.date=2026-01-05&param.chart=&_csrf=" + csrf(html));

        // Then the run's job page is shown, queued, and the trigger names the caller and the date only
        assertThat(started.uri().getPath()).startsWith("/ui/jobs/" + name);
        assertThat(started.body()).contains("Run of " + name + " started");
        String jobId = started.uri().getPath().substring("/ui/jobs/".length());
        PipelineTriggered trigger = kafka.await(Topics.PIPELINE_TRIGGERS.name(), PipelineTriggered.class,
                record -> record.value().getJobId().equals(jobId), 1, WAIT).get(0).value();
        assertThat(trigger.getRequestedBy()).isEqualTo("alice");
        assertThat(trigger.getParameters()).containsExactly(Map.entry("date", "2026-01-05"));
    }

    @Test
    void theRunFormWithoutARequiredParameterStartsNothingAndSaysWhichIsMissing() throws Exception {
        // Given a pipeline whose latest version needs a date
        String name = PipelineFixtures.uniqueName("missing");
        publishTwoVersions(name);
        String html = page("/ui/pipelines").body();

        // When the form is sent without it
        HttpResponse<String> refused = postForm("/ui/pipelines/" + name + "/runs", "param.date=&_csrf=" + csrf(html));

        // Then the pipelines page says so, and no job page was reached
        assertThat(refused.uri().getPath()).isEqualTo("/ui/pipelines");
        assertThat(refused.body()).contains("Not started").contains("date");
    }

    /** Publishes versions 1 and 2 of {@code name} and waits until this instance's view has version 2. */
    private void publishTwoVersions(String name) throws Exception {
        fixtures.publishTwoVersions(name);
        await().atMost(WAIT).until(() -> pipelines.latest(name)
                .map(found -> found.definition().version() == 2).orElse(false));
    }

    private String awaitPage(String path) {
        return await().atMost(WAIT).until(() -> page(path), response -> response.statusCode() == 200).body();
    }

    /** The {@code <li>} of one graph node. */
    private static String node(String html, String stage) {
        int start = html.indexOf("data-stage=\"" + stage + "\"", html.indexOf("class=\"graph\""));
        assertThat(start).as("node %s in the graph", stage).isNotNegative();
        return html.substring(start, html.indexOf("</li>", start));
    }

    private static String csrf(String html) {
        Matcher matcher = CSRF.matcher(html);
        assertThat(matcher.find()).as("a CSRF token in %s", html).isTrue();
        return URLEncoder.encode(matcher.group(1), StandardCharsets.UTF_8);
    }

    private String csrf(HttpResponse<String> response) {
        return csrf(response.body());
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
