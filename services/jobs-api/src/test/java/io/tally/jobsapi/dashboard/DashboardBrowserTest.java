package io.tally.jobsapi.dashboard;

import static io.tally.jobsapi.JobsApiTest.ADMIN_KEY;
import static io.tally.jobsapi.JobsApiTest.USER_KEY;
import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.JobState;
import io.tally.events.JobStatus;
import io.tally.events.StageState;
import io.tally.events.StageStatus;
import io.tally.jobsapi.JobsApiTest;
import io.tally.jobsapi.admin.KafkaStats;
import io.tally.jobsapi.view.JobView;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The dashboard in Debian's headless Chromium (through {@code /usr/bin/chromedriver}, never a downloaded browser),
 * against the whole jobs API on an embedded broker and the real registry. Same configuration as the API integration
 * tests, so the Spring context and broker are shared. The test plays the tracker by producing {@code JobStatus}
 * records. Screenshots go to {@code target/screenshots/}; with {@code -Dtally.docs.screenshot=true} the job detail
 * screenshot also replaces {@code docs/images/job-detail.png}. Without {@code /usr/bin/chromium} the tests are skipped
 * and leave {@link #SKIPPED_MARKER}, which the last module of the build turns into a warning at the end of its output;
 * with {@code -Dtally.browser-tests=required} (CI) they fail instead.
 */
@JobsApiTest
class DashboardBrowserTest {

    // The same keys as JobsApiIntegrationTest: equal properties let the test contexts be shared.

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Path DOCS_SCREENSHOT = Path.of("..", "..", "docs", "images", "job-detail.png");
    /** Read by deploy/chart-tests' enforcer rule; written when the tests are skipped, removed when they run. */
    static final Path SKIPPED_MARKER = Path.of("target", "browser-tests-skipped.txt");

    private static WebDriver browser;
    private static String skipReason;

    @Autowired
    JobView view;

    @Autowired
    KafkaStats stats;

    @Autowired
    DeadLetterGauges gauges;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    ArtifactStore artifacts;

    @BeforeAll
    static void startChromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String message = "Browser tests need Debian's " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (apt-get install chromium chromium-driver)";
            if ("required".equals(System.getProperty("tally.browser-tests"))) {
                throw new IllegalStateException(message + "; -Dtally.browser-tests=required does not let them skip");
            }
            writeMarker(message + "; they were skipped.\n");
            // Each test is then reported as skipped (see signOut), which a class-level abort would not show.
            skipReason = message + "; skipped (-Dtally.browser-tests=required makes this a failure)";
            return;
        }
        writeMarker(null);
        // Selenium Manager must never download a driver or a browser: both are given explicitly.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        System.setProperty("SE_OFFLINE", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT);
    }

    private static void writeMarker(String reason) {
        try {
            if (reason == null) {
                Files.deleteIfExists(SKIPPED_MARKER);
            } else {
                Files.createDirectories(SKIPPED_MARKER.getParent());
                Files.writeString(SKIPPED_MARKER, reason, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not update " + SKIPPED_MARKER, e);
        }
    }

    @AfterAll
    static void stopChromium() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void signOut() throws InterruptedException {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
        browser.get(url("/ui/login"));
        browser.manage().deleteAllCookies();
    }

    @Test
    void jobDetailProgressBarMovesTo100PercentLiveWithoutReload() throws Exception {
        // Given a running job with 4 expected items, none processed yet, shown on its detail page
        String jobId = "live-" + UUID.randomUUID();
        Instant start = Instant.now().minusSeconds(30);
        publish(status(jobId, JobState.RUNNING, 0, start, start.plusSeconds(1), null,
                stage("scrape", StageState.SUCCEEDED, 1, 1L, "100 tracks", start),
                stage("search", StageState.RUNNING, 0, 4L, null, start)));
        awaitInView(jobId);
        signIn(ADMIN_KEY);
        browser.get(url("/ui/jobs/" + jobId));
        assertThat(progress("job-progress")).isZero();
        ((JavascriptExecutor) browser).executeScript("window.tallyNotReloaded = true;");
        waitFor().until(ExpectedConditions.textMatches(By.id("live-state"), java.util.regex.Pattern.compile("Live")));

        // When the tracker reports half the items, then all of them and the job's completion
        publish(status(jobId, JobState.RUNNING, 2, start, start.plusSeconds(2), null,
                stage("scrape", StageState.SUCCEEDED, 1, 1L, "100 tracks", start),
                stage("search", StageState.RUNNING, 2, 4L, null, start)));
        waitFor().until(driver -> progress("job-progress") == 50.0);
        screenshot("job-detail-running");
        publish(status(jobId, JobState.COMPLETED, 4, start, start.plusSeconds(3), start.plusSeconds(3),
                stage("scrape", StageState.SUCCEEDED, 1, 1L, "100 tracks", start),
                stage("search", StageState.SUCCEEDED, 4, 4L, null, start),
                stage("playlist", StageState.SUCCEEDED, 1, 1L, "https://www.youtube.com/playlist?list=PL" + jobId, start)));

        // Then the overall bar reaches 100% on the same page (no reload), and the new playlist stage appears
        waitFor().until(driver -> progress("job-progress") == 100.0);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.tallyNotReloaded === true;")).isEqualTo(true);
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("COMPLETED");
        assertThat(browser.findElement(By.id("job-progress")).getAttribute("aria-valuenow")).isNull();
        List<WebElement> stages = browser.findElements(By.cssSelector("#stages .stage"));
        assertThat(stages).extracting(stage -> stage.getAttribute("data-stage")).containsExactly("scrape", "search", "playlist");
        assertThat(browser.findElement(By.cssSelector("#playlist-link a")).getAttribute("href")).contains(jobId);
        Path shot = screenshot("job-detail");
        if (Boolean.getBoolean("tally.docs.screenshot")) {
            Files.createDirectories(DOCS_SCREENSHOT.getParent());
            Files.copy(shot, DOCS_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void jobDetailShowsAQueuedJobThenItsResultLiveWithSegmentsFileLinksAndWhereACachedResultCameFrom() throws Exception {
        // Given a queued job (the API accepted the run, no engine has started it) shown on its detail page
        String jobId = "result-" + UUID.randomUUID();
        Instant start = Instant.now().minusSeconds(10);
        JobStatus queued = status(jobId, JobState.QUEUED, 0, start, start, null,
                stage("download", StageState.PENDING, 0, null, null, start),
                stage("transcribe", StageState.PENDING, 0, null, null, start));
        queued.setTriggerId("api:" + jobId);
        queued.setRequestedBy("alice");
        publish(queued);
        awaitInView(jobId);
        signIn(USER_KEY);
        browser.get(url("/ui/jobs/" + jobId));
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("QUEUED");
        assertThat(browser.findElement(By.id("queued-note")).getText()).contains("waits for the engine");
        assertThat(browser.findElement(By.id("job-trigger")).getText()).isEqualTo("api:" + jobId + " by alice");
        waitFor().until(ExpectedConditions.textMatches(By.id("live-state"), java.util.regex.Pattern.compile("Live")));

        // When the job completes from the result cache with a transcript, its segments and its transcript file
        URI file = artifacts.put("test/" + jobId + "/transcript.txt", "hello world, as a file".getBytes(StandardCharsets.UTF_8));
        JobStatus done = status(jobId, JobState.COMPLETED, 0, start, start.plusSeconds(5), start.plusSeconds(5),
                stage("download", StageState.SKIPPED, 0, null, "cached: result of job transcribe-first", start),
                stage("transcribe", StageState.SKIPPED, 0, null, "cached: result of job transcribe-first", start));
        done.setCachedFrom("transcribe-first");
        done.setResult("""
                {"text": "hello world", "segments": [{"startMs": 0, "endMs": 1500, "text": "hello"},
                 {"startMs": 61500, "endMs": 63250, "text": "world"}], "file": "%s", "words": null}""".formatted(file));
        publish(done);

        // Then the page shows the result without a reload: the text, a table of timed segments, and the file link
        waitFor().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#result .segments")));
        assertThat(browser.findElement(By.cssSelector("#result dd[data-field='text']")).getText()).isEqualTo("hello world");
        List<WebElement> segments = browser.findElements(By.cssSelector("#result .segment"));
        assertThat(segments).extracting(WebElement::getText)
                .containsExactly("0:00.000 0:01.500 hello", "1:01.500 1:03.250 world");
        assertThat(browser.findElement(By.cssSelector("#result dd[data-field='words']")).getText()).isEqualTo("—");
        WebElement link = browser.findElement(By.cssSelector("#result dd[data-field='file'] a"));
        assertThat(link.getText()).isEqualTo("transcript.txt");
        assertThat(browser.findElements(By.id("queued-note"))).isEmpty();
        // And it says which job the cached result came from
        assertThat(browser.findElement(By.id("cached-from")).getText()).contains("transcribe-first");
        screenshot("job-detail-result");
        // And the file link opens the artifact with the dashboard session
        browser.get(link.getAttribute("href"));
        assertThat(browser.getPageSource()).contains("hello world, as a file");
    }

    @Test
    void jobDetailListsItemsMarksFailedOnesWithTheirErrorFollowsNewItemsLiveAndSearchNarrowsTheList() throws Exception {
        // Given a running job with two succeeded items and one failed item, shown on its detail page
        String jobId = "items-" + UUID.randomUUID();
        Instant start = Instant.now().minusSeconds(30);
        JobStatus running = status(jobId, JobState.RUNNING, 2, start, start.plusSeconds(1), null,
                stage("search", StageState.RUNNING, 3, 4L, null, start));
        running.setFailedCount(1);
        publish(running);
        publishItem(item(jobId, "track-001-daft-punk", ItemOutcome.SUCCEEDED, 1, null, start));
        publishItem(item(jobId, "track-002-bicep", ItemOutcome.SUCCEEDED, 1, null, start));
        publishItem(item(jobId, "track-003-fred-again", ItemOutcome.FAILED, 2, "YouTube quota exceeded", start));
        awaitInView(jobId);
        awaitItems(jobId, 3);
        signIn(USER_KEY);
        browser.get(url("/ui/jobs/" + jobId));
        ((JavascriptExecutor) browser).executeScript("window.tallyNotReloaded = true;");

        // Then every item is listed and the failed one is marked, with its error text
        assertThat(itemIds()).containsExactly("track-001-daft-punk", "track-002-bicep", "track-003-fred-again");
        // The page re-renders its rows as updates arrive; a row read during a re-render is read again.
        waitFor().ignoring(StaleElementReferenceException.class).until(driver -> {
            WebElement failed = itemRow("track-003-fred-again");
            assertThat(failed.getAttribute("class")).contains("o-FAILED");
            assertThat(failed.findElement(By.cssSelector(".item-error")).getText()).isEqualTo("YouTube quota exceeded");
            assertThat(failed.getText()).contains("FAILED").contains("2");
            return true;
        });
        assertThat(browser.findElement(By.cssSelector("label[for=item-q]")).getText()).isEqualTo("Search items");
        assertThat(browser.findElement(By.cssSelector("label[for=item-outcome]")).getText()).isEqualTo("Outcome");

        // When the last item fails while the page is open and the tracker reports it
        publishItem(item(jobId, "track-004-peggy-gou", ItemOutcome.FAILED, 1, "No video found for 'Peggy Gou - (It Goes Like) Nanana'", start));
        JobStatus ended = status(jobId, JobState.COMPLETED_WITH_FAILURES, 2, start, start.plusSeconds(5),
                start.plusSeconds(5), stage("search", StageState.SUCCEEDED, 4, 4L, null, start));
        ended.setFailedCount(2);
        publish(ended);

        // Then it appears on the same page (no reload), with its error
        waitFor().until(driver -> itemIds().size() == 4);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.tallyNotReloaded === true;")).isEqualTo(true);
        waitFor().ignoring(StaleElementReferenceException.class).until(driver -> itemRow("track-004-peggy-gou")
                .findElement(By.cssSelector(".item-error")).getText().contains("No video found"));
        scrollTo("items-title");
        screenshot("job-detail-items");

        // When the user searches by keyboard for text in an error
        WebElement search = browser.findElement(By.id("item-q"));
        search.sendKeys("quota");
        search.sendKeys(Keys.ENTER);

        // Then only the matching failed item is listed
        waitFor().until(ExpectedConditions.urlContains("q=quota"));
        assertThat(itemIds()).containsExactly("track-003-fred-again");
        assertThat(browser.findElement(By.id("items-total")).getText()).isEqualTo("1");
        scrollTo("items-title");
        screenshot("job-detail-items-searched");

        // When the search is cleared and the outcome filter set to FAILED with the keyboard-reachable form
        browser.findElement(By.id("item-q")).clear();
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("item-outcome"))).selectByValue("FAILED");
        browser.findElement(By.id("item-search")).click();

        // Then both failed items are listed, and no succeeded one
        waitFor().until(ExpectedConditions.urlContains("outcome=FAILED"));
        assertThat(itemIds()).containsExactly("track-003-fred-again", "track-004-peggy-gou");
    }

    @Test
    void jobsListFiltersByStatusAndLinksToTheJob() throws Exception {
        // Given a stalled job among others
        String jobId = "stalled-" + UUID.randomUUID();
        Instant start = Instant.now().plusSeconds(3600);
        publish(status(jobId, JobState.STALLED, 1, start, start, null));
        awaitInView(jobId);
        signIn(USER_KEY);

        // When the list is filtered by STALLED with the keyboard-reachable form
        browser.get(url("/ui/jobs"));
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("status"))).selectByValue("STALLED");
        browser.findElement(By.cssSelector("form.filters button")).click();

        // Then only stalled jobs are listed, the new one first (newest), and its link opens its page
        waitFor().until(ExpectedConditions.urlContains("status=STALLED"));
        List<WebElement> rows = browser.findElements(By.cssSelector("table.jobs tbody tr"));
        assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row.getText()).contains("STALLED"));
        assertThat(rows.get(0).getText()).contains(jobId);
        screenshot("jobs-list");
        rows.get(0).findElement(By.tagName("a")).click();
        waitFor().until(ExpectedConditions.urlContains("/ui/jobs/" + jobId));
    }

    @Test
    void redrivesADeadLetterFromTheUiOnlyAfterConfirmation() throws Exception {
        // Given a dead letter of the notification service that came from the completed-jobs topic
        String key = "ui-redrive-" + UUID.randomUUID();
        String topic = Topics.NOTIFICATION_SERVICE_DLT.name();
        String original = Topics.JOB_COMPLETED.name();
        byte[] value = ("completed " + key).getBytes(StandardCharsets.UTF_8);
        send(topic, key, value, header("kafka_dlt-original-topic", original),
                header("tally_dlt-reason", "SMTP server refused the message"));
        signIn(ADMIN_KEY);
        browser.get(url("/ui/dead-letters"));
        browser.findElement(By.linkText(topic)).click();
        WebElement row = waitFor().until(driver -> rowWithKey(key));
        assertThat(row.getText()).contains(original).contains("SMTP server refused the message");
        screenshot("dead-letters");

        // When the admin presses Redrive and first cancels the confirmation
        row.findElement(By.cssSelector("button.redrive-one")).click();
        Alert confirm = waitFor().until(ExpectedConditions.alertIsPresent());
        assertThat(confirm.getText()).contains("Redrive record").contains(original);
        confirm.dismiss();
        // Then nothing was posted (still the same page, no result message)
        assertThat(browser.findElements(By.cssSelector(".flash.ok"))).isEmpty();

        // When the admin presses Redrive again and confirms
        rowWithKey(key).findElement(By.cssSelector("button.redrive-one")).click();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();

        // Then the page reports one record redriven and the record is back on its original topic, unchanged
        WebElement result = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".flash.ok")));
        assertThat(result.getText()).contains("Redrove 1 of 1");
        screenshot("dead-letters-redriven");
        ConsumerRecord<String, byte[]> redriven = kafka.awaitFirstRaw(original, key, WAIT);
        assertThat(redriven.value()).isEqualTo(value);
        assertThat(redriven.headers().lastHeader("tally_dlt-reason")).isNull();
    }

    @Test
    void overviewShowsChartsAndSchedulesSayWhenTheSchedulerIsDown() throws Exception {
        // Given a job that completed a minute ago (no scheduler runs in this test)
        String jobId = "done-" + UUID.randomUUID();
        Instant end = Instant.now().minusSeconds(60);
        publish(status(jobId, JobState.COMPLETED, 4, end.minusSeconds(20), end, end));
        awaitInView(jobId);
        signIn(USER_KEY);

        // When the overview opens, Then both charts are there with the job counted in the last hour
        browser.get(url("/ui"));
        assertThat(browser.findElements(By.cssSelector("figure figcaption"))).hasSize(2);
        assertThat(Long.parseLong(browser.findElement(By.cssSelector("figcaption span")).getText())).isPositive();
        screenshot("overview");

        // When the schedules page opens without a reachable scheduler, Then it says so instead of failing
        browser.get(url("/ui/schedules"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Schedules");
        if (!somethingListensOn(8082)) {
            // The default scheduler URL; another engineer's dev stack on this machine may be answering there.
            assertThat(browser.findElement(By.cssSelector(".flash.error")).getText()).contains("scheduler did not answer");
        }
    }

    @Test
    void exportsTheDeadLetterDepthOfEachTopicAsAPrometheusGauge() throws Exception {
        // Given a dead letter on the notification service's DLT, and one on a task type's DLT that came with a pipeline
        String topic = Topics.NOTIFICATION_SERVICE_DLT.name();
        send(topic, "gauge-" + UUID.randomUUID(), new byte[] {1}, header("tally_dlt-reason", "bad"));
        long depth = stats.deadLetterDepths().get(topic);
        String taskTopic = "tally.dlt.tasks.gauge-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(taskTopic, 1, (short) 1))).all().get();
        }
        send(taskTopic, "gauge-task", new byte[] {2}, header("tally_dlt-reason", "failed every retry"));

        // When the gauges refresh and Prometheus scrapes
        gauges.refresh();
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url("/actuator/prometheus"))).build(),
                HttpResponse.BodyHandlers.ofString());

        // Then tally_api_dead_letters carries that topic's depth (at least this record), every catalogue DLT has a
        // series, and so does the task type's DLT, with its one record
        assertThat(depth).isPositive();
        assertThat(scrape.body().lines().filter(line -> line.startsWith("tally_api_dead_letters{"))
                .filter(line -> line.contains("topic=\"" + topic + "\""))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))))
                .singleElement().satisfies(value -> assertThat(value).isGreaterThanOrEqualTo(depth));
        List<String> series = scrape.body().lines().filter(line -> line.startsWith("tally_api_dead_letters{")).toList();
        for (TopicSpec<byte[]> catalogued : Topics.DEAD_LETTERS) {
            assertThat(series).anyMatch(line -> line.contains("topic=\"" + catalogued.name() + "\""));
        }
        assertThat(series).contains("tally_api_dead_letters{application=\"jobs-api\",topic=\"" + taskTopic + "\"} 1.0");
        assertThat(series).allMatch(line -> Topics.DEAD_LETTERS.stream().anyMatch(spec -> line.contains("\"" + spec.name() + "\""))
                || line.contains("topic=\"" + TaskHeaders.DEAD_LETTER_PREFIX));
    }

    @Test
    void deadLettersNeedTheAdminRoleAndPagesNeedASignIn() {
        // Given no session, When the dashboard is opened, Then the login page asks for an API key
        browser.get(url("/ui/jobs"));
        waitFor().until(ExpectedConditions.urlContains("/ui/login"));
        assertThat(browser.findElement(By.cssSelector("label[for=apiKey]")).getText()).isEqualTo("API key");

        // Given a wrong key, Then the login page says so
        browser.findElement(By.id("apiKey")).sendKeys("not-a-key-0123456789");
        browser.findElement(By.id("sign-in")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".flash.error")));

        // Given a USER key, When the dead letters are opened, Then access is denied
        signIn(USER_KEY);
        browser.get(url("/ui/dead-letters"));
        assertThat(browser.findElements(By.linkText(Topics.NOTIFICATION_SERVICE_DLT.name()))).isEmpty();
        assertThat(browser.getPageSource()).contains("403");
    }

    private static boolean somethingListensOn(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("localhost", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void signIn(String key) {
        browser.get(url("/ui/login"));
        assertThat(browser.findElements(By.id("apiKey"))).as("login page at %s:%n%s", browser.getCurrentUrl(),
                browser.getPageSource()).isNotEmpty();
        browser.findElement(By.id("apiKey")).sendKeys(key);
        browser.findElement(By.id("sign-in")).click();
        waitFor().until(ExpectedConditions.not(ExpectedConditions.urlContains("/ui/login")));
    }

    private void scrollTo(String id) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView();", browser.findElement(By.id(id)));
    }

    /** The listed items' ids, read in one script so a live re-render cannot leave a stale row half read. */
    @SuppressWarnings("unchecked")
    private List<String> itemIds() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#items-body tr.item')).map(row => row.dataset.itemId);");
    }

    private WebElement itemRow(String itemId) {
        return browser.findElement(By.cssSelector("#items-body tr[data-item-id='" + itemId + "']"));
    }

    private void awaitItems(String jobId, long expected) {
        await("items of job " + jobId + " reach the view").atMost(WAIT)
                .until(() -> view.items(jobId, null, null, 0, 100).total() >= expected);
    }

    private void publishItem(ItemProcessed item) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.ITEM_PROCESSED.name(), item.getJobId(), item)).get();
        }
    }

    private static ItemProcessed item(String jobId, String itemId, ItemOutcome outcome, int attempt, String error,
            Instant at) {
        return ItemProcessed.newBuilder().setJobId(jobId).setItemId(itemId).setOutcome(outcome).setAttempt(attempt)
                .setError(error).setProcessedAt(at).build();
    }

    private WebElement rowWithKey(String key) {
        return browser.findElements(By.cssSelector("tbody tr")).stream()
                .filter(row -> row.getText().contains(key))
                .findFirst().orElse(null);
    }

    private double progress(String id) {
        return Double.parseDouble(browser.findElement(By.id(id)).getDomProperty("value"));
    }

    private WebDriverWait waitFor() {
        return new WebDriverWait(browser, WAIT);
    }

    private Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path target = SCREENSHOTS.resolve(name + ".png");
        Path taken = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(taken, target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private String url(String path) {
        return http.uri(path).toString();
    }

    private void awaitInView(String jobId) {
        await("job " + jobId + " reaches the view").atMost(WAIT).until(() -> view.job(jobId).isPresent());
    }

    private void publish(JobStatus status) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), status.getJobId(), status)).get();
        }
    }

    private void send(String topic, String key, byte[] value, Header... headers) throws Exception {
        try (KafkaProducer<String, byte[]> raw = kafka.rawProducer()) {
            raw.send(new ProducerRecord<>(topic, null, key, value, List.of(headers))).get();
        }
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static JobStatus status(String jobId, JobState state, int succeeded, Instant createdAt, Instant updatedAt,
            Instant completedAt, StageStatus... stages) {
        return JobStatus.newBuilder().setJobId(jobId).setPipeline("beatport-chart").setSourceRef("beatport/" + jobId)
                .setState(state).setExpectedCount(4).setSucceededCount(succeeded).setFailedCount(0).setSkippedCount(0)
                .setCreatedAt(createdAt).setFirstSeenAt(createdAt).setLastProgressAt(updatedAt).setUpdatedAt(updatedAt)
                .setCompletedAt(completedAt).setStages(List.of(stages)).build();
    }

    private static StageStatus stage(String name, StageState state, long done, Long total, String detail, Instant at) {
        return StageStatus.newBuilder().setName(name).setState(state).setDone(done).setTotal(total).setStartedAt(at)
                .setUpdatedAt(at).setEndedAt(state == StageState.SUCCEEDED ? at : null).setDetail(detail).build();
    }
}
