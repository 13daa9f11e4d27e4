package io.tally.cli;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.util.MultivaluedMapUtils;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tally.playlist.youtube.RefreshTokenFile;
import io.tally.playlist.youtube.YouTubeAuthorization;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally auth youtube}: Google's installed-app flow with a loopback redirect and PKCE (Nimbus OAuth 2.0 SDK),
 * storing the refresh token the playlist service renews its access tokens from (mode 600).
 */
@Command(name = "auth", mixinStandardHelpOptions = true, subcommands = AuthCommand.YouTube.class,
        description = "Authorizes Tally at external services.")
public class AuthCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a service there is nothing to authorize, so show which there are. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The YouTube account the playlist service makes playlists in. */
    @Command(name = "youtube", mixinStandardHelpOptions = true,
            description = {"Signs Tally in to a YouTube account: prints a Google URL to open in a browser, receives the "
                    + "answer on a one-shot server on 127.0.0.1 and stores the refresh token (mode 600) where the "
                    + "playlist service reads it (tally.playlist.youtube.oauth.refresh-token-file).",
                    "The client id and secret are those of a Google Cloud OAuth client of type \"Desktop app\"."})
    static class YouTube implements Callable<Integer> {

        @Spec
        CommandSpec spec;
        @Option(names = "--client-id", defaultValue = "${env:TALLY_YOUTUBE_CLIENT_ID}",
                description = "OAuth client id (default: env TALLY_YOUTUBE_CLIENT_ID).")
        String clientId;
        @Option(names = "--client-secret", defaultValue = "${env:TALLY_YOUTUBE_CLIENT_SECRET}",
                description = "OAuth client secret (default: env TALLY_YOUTUBE_CLIENT_SECRET; prefer the variable, "
                        + "arguments are visible to other users of the machine).")
        String clientSecret;
        @Option(names = "--refresh-token-file", defaultValue = "${env:TALLY_YOUTUBE_REFRESH_TOKEN_FILE}",
                description = "Where to store the refresh token (default: env TALLY_YOUTUBE_REFRESH_TOKEN_FILE, "
                        + "else ~/.tally/youtube-refresh-token).")
        Path refreshTokenFile;
        @Option(names = "--auth-uri", defaultValue = YouTubeAuthorization.AUTHORIZATION_URI,
                description = "Google's authorization endpoint (default: ${DEFAULT-VALUE}).")
        URI authUri;
        @Option(names = "--token-uri", defaultValue = YouTubeAuthorization.TOKEN_URI,
                description = "Google's token endpoint (default: ${DEFAULT-VALUE}).")
        URI tokenUri;
        @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
                description = "How long to wait for the browser (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (isBlank(clientId) || isBlank(clientSecret)) {
                err.println("Set the OAuth client: --client-id and --client-secret, or TALLY_YOUTUBE_CLIENT_ID and "
                        + "TALLY_YOUTUBE_CLIENT_SECRET (a Google Cloud OAuth client of type \"Desktop app\").");
                return 2;
            }
            Path target = refreshTokenFile != null ? refreshTokenFile : RefreshTokenFile.defaultLocation();
            State state = new State();
            CodeVerifier verifier = new CodeVerifier();
            CompletableFuture<String> code = new CompletableFuture<>();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            server.createContext(CALLBACK, exchange -> answer(exchange, state, code));
            server.start();
            try {
                URI redirect = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + CALLBACK);
                URI authorization = new AuthorizationRequest.Builder(ResponseType.CODE, new ClientID(clientId))
                        .endpointURI(authUri)
                        .redirectionURI(redirect)
                        .scope(new Scope(YouTubeAuthorization.SCOPE))
                        .state(state)
                        .codeChallenge(verifier, CodeChallengeMethod.S256)
                        // A refresh token, and a new one even if this account authorized Tally before.
                        .customParameter("access_type", "offline")
                        .customParameter("prompt", "consent")
                        .build().toURI();
                out.println("Open this URL in a browser and allow Tally to manage your YouTube playlists:");
                out.println();
                out.println("  " + authorization);
                out.println();
                out.println("Waiting up to " + timeout.toSeconds() + " s for Google to send the browser back to " + redirect + " ...");
                out.flush();
                RefreshToken refreshToken = exchange(code.get(timeout.toMillis(), TimeUnit.MILLISECONDS), redirect, verifier);
                RefreshTokenFile.write(target, refreshToken.getValue());
                out.println("Stored the YouTube refresh token in " + target + " (mode 600). The playlist service reads it "
                        + "from tally.playlist.youtube.oauth.refresh-token-file.");
                return 0;
            } catch (TimeoutException e) {
                err.println("No answer from the browser within " + timeout.toSeconds() + " s; run tally auth youtube again.");
                return 1;
            } catch (ExecutionException e) {
                err.println("Authorization failed: " + e.getCause().getMessage());
                return 1;
            } catch (AuthorizationFailed | IOException e) {
                err.println("Authorization failed: " + e.getMessage());
                return 1;
            } finally {
                server.stop(0);
            }
        }

        /** Swaps the code for tokens at the token endpoint (PKCE verifier, client secret in the form). */
        private RefreshToken exchange(String code, URI redirect, CodeVerifier verifier) throws IOException {
            TokenRequest request = new TokenRequest(tokenUri, new ClientSecretPost(new ClientID(clientId), new Secret(clientSecret)),
                    new AuthorizationCodeGrant(new AuthorizationCode(code), redirect, verifier));
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(CONNECT_TIMEOUT_MS);
            http.setReadTimeout(READ_TIMEOUT_MS);
            TokenResponse response;
            try {
                response = TokenResponse.parse(http.send());
            } catch (ParseException e) {
                throw new AuthorizationFailed("the token endpoint's answer could not be read: " + e.getMessage());
            }
            if (!response.indicatesSuccess()) {
                ErrorObject error = response.toErrorResponse().getErrorObject();
                throw new AuthorizationFailed("the token endpoint refused the code: " + error.getCode()
                        + (error.getDescription() != null ? " (" + error.getDescription() + ")" : ""));
            }
            RefreshToken refreshToken = response.toSuccessResponse().getTokens().getRefreshToken();
            if (refreshToken == null) {
                throw new AuthorizationFailed("Google sent no refresh token; remove Tally's access at "
                        + "https://myaccount.google.com/permissions and run tally auth youtube again");
            }
            return refreshToken;
        }

        private static boolean isBlank(String text) {
            return text == null || text.isBlank();
        }
    }

    private static final String CALLBACK = "/callback";
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int READ_TIMEOUT_MS = 30_000;

    /**
     * The loopback server's one job: take the code from Google's redirect if the state is the one sent (anything else
     * could be a forged request from another page), answer the browser, and end the wait either way.
     */
    static void answer(HttpExchange exchange, State expected, CompletableFuture<String> code) throws IOException {
        if (code.isDone()) {
            respond(exchange, 409, "This sign-in has already ended. You can close this tab.");
            return;
        }
        Map<String, List<String>> query = URLUtils.parseParameters(exchange.getRequestURI().getRawQuery());
        String state = MultivaluedMapUtils.getFirstValue(query, "state");
        String error = MultivaluedMapUtils.getFirstValue(query, "error");
        String received = MultivaluedMapUtils.getFirstValue(query, "code");
        if (state == null || !expected.getValue().equals(state)) {
            respond(exchange, 400, "The answer does not carry the state Tally sent: refused. Run tally auth youtube again.");
            code.completeExceptionally(new AuthorizationFailed("the browser came back with a state that Tally did not send "
                    + "(a forged or stale request); nothing was stored"));
        } else if (error != null || received == null) {
            respond(exchange, 400, "Google did not authorize Tally (" + (error != null ? error : "no code") + ").");
            code.completeExceptionally(new AuthorizationFailed("Google did not authorize Tally: "
                    + (error != null ? error : "no code in the answer")));
        } else {
            respond(exchange, 200, "Tally is authorized. You can close this tab and return to the terminal.");
            code.complete(received);
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Tally</title></head><body><p>" + text
                + "</p></body></html>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream stream = exchange.getResponseBody()) {
            stream.write(body);
        }
    }

    /** The flow ended without a refresh token; the message says why. */
    static final class AuthorizationFailed extends RuntimeException {
        AuthorizationFailed(String message) {
            super(message);
        }
    }
}
