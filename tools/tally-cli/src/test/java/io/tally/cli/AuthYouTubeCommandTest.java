package io.tally.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.util.MultivaluedMapUtils;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tally auth youtube} end to end: WireMock is Google's token endpoint and the test plays the browser, following
 * the printed URL's redirect back to the command's loopback server.
 */
class AuthYouTubeCommandTest {

    @RegisterExtension
    static WireMockExtension google = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String REFRESH_TOKEN = "1//refresh-token-from-google";
    private static final String AUTH_URI = "https://accounts.example.test/o/oauth2/v2/auth";

    @TempDir
    Path home;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final HttpClient browser = HttpClient.newHttpClient();

    @Test
    void storesTheRefreshTokenWithMode600AfterThePkceCodeExchange() throws Exception {
        // Given Google's token endpoint, which answers the code exchange with a refresh token
        google.stubFor(post(urlPathEqualTo("/token")).willReturn(okJson("""
                {"access_token": "ya29.access", "expires_in": 3599, "refresh_token": "%s",
                 "scope": "https://www.googleapis.com/auth/youtube", "token_type": "Bearer"}""".formatted(REFRESH_TOKEN))));
        Path file = home.resolve("config/tally/youtube-refresh-token");
        // When the command runs and the user opens the printed URL, and Google sends the browser back with a code
        CompletableFuture<Integer> exit = run(file);
        Map<String, List<String>> authorization = authorizationUrlParameters();
        HttpResponse<String> page = browserReturns(authorization, "the-code", MultivaluedMapUtils.getFirstValue(authorization, "state"));

        // Then the browser is told it worked and the command ends well
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(exit.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
        // and the URL asked for the youtube scope, offline access, a fresh consent and an S256 challenge
        assertThat(MultivaluedMapUtils.getFirstValue(authorization, "scope")).isEqualTo("https://www.googleapis.com/auth/youtube");
        assertThat(MultivaluedMapUtils.getFirstValue(authorization, "access_type")).isEqualTo("offline");
        assertThat(MultivaluedMapUtils.getFirstValue(authorization, "prompt")).isEqualTo("consent");
        assertThat(MultivaluedMapUtils.getFirstValue(authorization, "response_type")).isEqualTo("code");
        assertThat(MultivaluedMapUtils.getFirstValue(authorization, "client_id")).isEqualTo("client-123");
        assertThat(MultivaluedMapUtils.getFirstValue(authorization, "code_challenge_method")).isEqualTo("S256");
        // and the code was exchanged with the verifier of that challenge, the same redirect URI and the client secret
        LoggedRequest exchange = google.findAll(postRequestedFor(urlPathEqualTo("/token"))).get(0);
        Map<String, List<String>> form = URLUtils.parseParameters(exchange.getBodyAsString());
        assertThat(MultivaluedMapUtils.getFirstValue(form, "grant_type")).isEqualTo("authorization_code");
        assertThat(MultivaluedMapUtils.getFirstValue(form, "code")).isEqualTo("the-code");
        assertThat(MultivaluedMapUtils.getFirstValue(form, "redirect_uri")).isEqualTo(MultivaluedMapUtils.getFirstValue(authorization, "redirect_uri"));
        assertThat(MultivaluedMapUtils.getFirstValue(form, "client_secret")).isEqualTo("client-secret");
        String verifier = MultivaluedMapUtils.getFirstValue(form, "code_verifier");
        assertThat(CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier(verifier)).getValue())
                .isEqualTo(MultivaluedMapUtils.getFirstValue(authorization, "code_challenge"));
        // and the refresh token is in the file, readable by its owner only, and never printed
        assertThat(Files.readString(file)).isEqualTo(REFRESH_TOKEN + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(out.toString() + err).doesNotContain(REFRESH_TOKEN).doesNotContain("ya29.access").doesNotContain("client-secret");
    }

    @Test
    void refusesAnAnswerWhoseStateIsNotTheOneItSent() throws Exception {
        // Given the command waiting for the browser
        Path file = home.resolve("youtube-refresh-token");
        CompletableFuture<Integer> exit = run(file);
        Map<String, List<String>> authorization = authorizationUrlParameters();
        // When a request arrives with a code but another state (a forged redirect)
        HttpResponse<String> page = browserReturns(authorization, "forged-code", "not-the-state");
        // Then it is refused, the code is never exchanged and nothing is stored
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(err.toString()).contains("state");
        google.verify(0, anyRequestedFor(anyUrl()));
        assertThat(file).doesNotExist();
    }

    private CompletableFuture<Integer> run(Path file) {
        CommandLine command = new CommandLine(new TallyCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return CompletableFuture.supplyAsync(() -> command.execute("auth", "youtube", "--client-id", "client-123",
                "--client-secret", "client-secret", "--auth-uri", AUTH_URI, "--token-uri", google.baseUrl() + "/token",
                "--refresh-token-file", file.toString(), "--timeout", "60s"));
    }

    /** The query of the authorization URL the command prints, once it is printed. */
    private Map<String, List<String>> authorizationUrlParameters() {
        String url = await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().lines().map(String::strip)
                .filter(line -> line.startsWith(AUTH_URI)).findFirst().orElse(null), line -> line != null);
        return URLUtils.parseParameters(URI.create(url).getRawQuery());
    }

    private HttpResponse<String> browserReturns(Map<String, List<String>> authorization, String code, String state) throws Exception {
        URI redirect = URI.create(MultivaluedMapUtils.getFirstValue(authorization, "redirect_uri"));
        assertThat(redirect.getHost()).isEqualTo("127.0.0.1");
        return browser.send(HttpRequest.newBuilder(URI.create(redirect + "?code=" + code + "&state=" + state
                + "&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
