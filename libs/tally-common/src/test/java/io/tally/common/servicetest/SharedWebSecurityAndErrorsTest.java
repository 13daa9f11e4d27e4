package io.tally.common.servicetest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.tally.common.web.Problems;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The security and error handling every web service gets from tally-common, on a real Tomcat: credentials and roles
 * on state-changing endpoints, and problem+json for every error, including those Tomcat and the firewall raise before
 * any controller.
 */
@SpringBootTest(classes = WebTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "tally.kafka.create-topics=false",
                "tally.api.security.api-keys[0].name=reader",
                "tally.api.security.api-keys[0].key=" + SharedWebSecurityAndErrorsTest.USER_KEY,
                "tally.api.security.api-keys[0].roles=USER",
                "tally.api.security.api-keys[1].name=operator",
                "tally.api.security.api-keys[1].key=" + SharedWebSecurityAndErrorsTest.ADMIN_KEY,
                "tally.api.security.api-keys[1].roles=USER,ADMIN"})
class SharedWebSecurityAndErrorsTest {

    static final String USER_KEY = "user-key-0123456789";
    static final String ADMIN_KEY = "admin-key-0123456789";

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void refusesAStateChangingCallWithoutCredentialsWith401Problem() throws Exception {
        // When a POST arrives without any credentials
        HttpResponse<String> response = send("POST", "/api/things", "{\"a\":1}", null);
        // Then it is refused as unauthenticated, in problem+json
        assertProblem(response, 401, "Unauthorized");
    }

    @Test
    void refusesAnUnknownKeyWith401Problem() throws Exception {
        // When the key is not one of the configured ones
        HttpResponse<String> response = send("POST", "/api/things", "{\"a\":1}", "not-a-configured-key-at-all");
        // Then 401 problem+json
        assertProblem(response, 401, "Unauthorized");
    }

    @Test
    void refusesAUserKeyOnAnAdminEndpointWith403Problem() throws Exception {
        // When a USER key calls an ADMIN action
        HttpResponse<String> response = send("POST", "/api/admin/things", "", USER_KEY);
        // Then 403 problem+json
        assertProblem(response, 403, "Forbidden");
    }

    @Test
    void acceptsTheRightKeys() throws Exception {
        // When each action is called with a key that has the role it needs
        HttpResponse<String> user = send("POST", "/api/things", "{\"a\":1}", USER_KEY);
        HttpResponse<String> admin = send("POST", "/api/admin/things", "", ADMIN_KEY);
        // Then both work
        assertThat(user.statusCode()).as(user.body()).isEqualTo(200);
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
    }

    @Test
    void keepsProbesScrapingAndDeclaredReadsPublic() throws Exception {
        // When the probes, the Prometheus endpoint and a read the service declared public are called without a key
        HttpResponse<String> health = send("GET", "/actuator/health/liveness", null, null);
        HttpResponse<String> read = send("GET", "/api/reads", null, null);
        // Then they answer as before
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    }

    @Test
    void answersAnEncodedSlashInTheRequestTargetWith400Problem() throws Exception {
        // When a request carries an encoded path traversal (java.net.http sends the raw path as given) and prefers HTML
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/admin/dead-letters/..%2F..%2Fetc"))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        // Then Tomcat's rejection is a problem+json 400, not an HTML page
        assertProblem(response, 400, "Bad Request");
    }

    @Test
    void answersAFirewallRejectionWith400Problem() throws Exception {
        // When the path contains something Spring Security's firewall rejects (an encoded percent sign)
        HttpResponse<String> response = send("GET", "/api/reads%2525", null, USER_KEY);
        // Then 400 problem+json
        assertProblem(response, 400, "Bad Request");
    }

    @Test
    void answersAnUnknownPathWith404Problem() throws Exception {
        // When an authenticated caller asks for a path nothing serves
        HttpResponse<String> response = send("GET", "/api/nothing-here", null, USER_KEY);
        // Then 404 problem+json
        assertProblem(response, 404, "Not Found");
    }

    @Test
    void answersAWrongMethodWith405Problem() throws Exception {
        // When a GET reaches a POST-only endpoint
        HttpResponse<String> response = send("GET", "/api/things", null, USER_KEY);
        // Then 405 problem+json
        assertProblem(response, 405, "Method Not Allowed");
    }

    @Test
    void answersAWrongContentTypeWith415Problem() throws Exception {
        // When the body is not JSON
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/things"))
                .header("X-API-Key", USER_KEY).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("a=1")).build(), HttpResponse.BodyHandlers.ofString());
        // Then 415 problem+json
        assertProblem(response, 415, "Unsupported Media Type");
    }

    @Test
    void answersATooLargeUploadWith413Problem() throws Exception {
        // When an upload is over the limit
        HttpResponse<String> response = send("POST", "/api/uploads", "", USER_KEY);
        // Then 413 problem+json
        assertProblem(response, 413, Problems.title(413));
    }

    @Test
    void answersAnUnexpectedFailureWith500ProblemWithoutInternals() throws Exception {
        // When a controller fails unexpectedly
        HttpResponse<String> response = send("GET", "/api/broken", null, USER_KEY);
        // Then 500 problem+json that does not leak the exception message
        assertProblem(response, 500, "Internal Server Error");
        assertThat(response.body()).doesNotContain("something internal broke");
    }

    @Test
    void answersTheErrorPathItselfInProblemJsonEvenForBrowsers() throws Exception {
        // When /error is requested directly by a client that prefers HTML
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/error"))
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        // Then it is still problem+json
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json.readTree(response.body()).get("status").asInt()).isEqualTo(response.statusCode());
    }

    private void assertProblem(HttpResponse<String> response, int status, String title) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("title").asString()).isEqualTo(title);
        assertThat(body.has("detail")).as(response.body()).isTrue();
    }

    private HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
