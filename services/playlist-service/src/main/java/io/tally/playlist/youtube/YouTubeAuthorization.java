package io.tally.playlist.youtube;

import io.tally.playlist.PlaylistProperties;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.endpoint.RestClientRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;

/**
 * Spring Security's OAuth2 client, set up for the YouTube adapter outside any web request: a {@link ClientRegistration}
 * for Google, an {@link AuthorizedClientServiceOAuth2AuthorizedClientManager} with the refresh-token grant over a
 * {@link RefreshTokenFileClientService}, and the {@link OAuth2ClientHttpRequestInterceptor} that puts a valid access
 * token on every call and, on a 401, drops the client so the next call renews it. No token HTTP code of our own.
 */
public final class YouTubeAuthorization {

    /** Google's token endpoint. */
    public static final String TOKEN_URI = "https://oauth2.googleapis.com/token";
    /** Google's authorization endpoint (the browser step of {@code tally auth youtube}). */
    public static final String AUTHORIZATION_URI = "https://accounts.google.com/o/oauth2/v2/auth";
    /** The scope playlists.insert and playlistItems.insert need ("manage your YouTube account"). */
    public static final String SCOPE = "https://www.googleapis.com/auth/youtube";
    /** Google resets the Data API quota at midnight Pacific Time. */
    public static final String QUOTA_RESET_ZONE = "America/Los_Angeles";
    /** What every authorization failure tells the operator to do. */
    public static final String REAUTHORIZE = "re-run tally auth youtube";

    static final String REGISTRATION_ID = "google-youtube";
    /** The service acts for one YouTube account, whoever (if anyone) is signed in on the calling thread. */
    private static final Authentication PRINCIPAL = new AnonymousAuthenticationToken("tally", "tally",
            AuthorityUtils.createAuthorityList("ROLE_TALLY"));

    private final RefreshTokenFileClientService clients;
    private final OAuth2ClientHttpRequestInterceptor interceptor;

    /**
     * @param config  client id and secret, token endpoint and refresh-token file
     * @param timeout connect and read timeout of the token endpoint
     */
    public YouTubeAuthorization(PlaylistProperties.OAuth config, Duration timeout) {
        if (config.clientSecret().isBlank()) {
            throw new IllegalArgumentException("tally.playlist.youtube.oauth.client-secret (env TALLY_YOUTUBE_CLIENT_SECRET) "
                    + "is required when tally.playlist.youtube.oauth.client-id is set");
        }
        ClientRegistration google = ClientRegistration.withRegistrationId(REGISTRATION_ID)
                .clientId(config.clientId())
                .clientSecret(config.clientSecret())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                // The installed-app flow of `tally auth youtube`; the service itself only uses the refresh grant.
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("http://127.0.0.1")
                .authorizationUri(config.authorizationUri().toString())
                .tokenUri(config.tokenUri().toString())
                .scope(SCOPE)
                .build();
        this.clients = new RefreshTokenFileClientService(google, config.refreshTokenFile());

        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(timeout).build());
        requests.setReadTimeout(timeout);
        RestClientRefreshTokenTokenResponseClient tokenEndpoint = new RestClientRefreshTokenTokenResponseClient();
        // Spring's default token client, with timeouts: the stream thread must never hang on the token endpoint.
        tokenEndpoint.setRestClient(RestClient.builder()
                .configureMessageConverters(converters -> {
                    converters.addCustomConverter(new FormHttpMessageConverter());
                    converters.addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter());
                })
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .requestFactory(requests)
                .build());
        AuthorizedClientServiceOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(
                new InMemoryClientRegistrationRepository(google), clients);
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
                .refreshToken(refresh -> refresh.accessTokenResponseClient(tokenEndpoint))
                .build());

        this.interceptor = new OAuth2ClientHttpRequestInterceptor(manager);
        interceptor.setClientRegistrationIdResolver(request -> REGISTRATION_ID);
        interceptor.setPrincipalResolver(request -> PRINCIPAL);
        // A 401 from YouTube (invalid_token) removes the authorized client: the next call renews the access token.
        interceptor.setAuthorizationFailureHandler(OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(clients));
    }

    /** Makes every request of {@code builder} carry an access token the manager keeps valid. */
    public RestClient.Builder applyTo(RestClient.Builder builder) {
        return builder.requestInterceptor(interceptor);
    }

    /** The reason an authorization failure gives, always ending in what to do: {@value #REAUTHORIZE}. */
    public String describe(OAuth2AuthorizationException failure) {
        String code = failure.getError().getErrorCode();
        String description = failure.getError().getDescription();
        String detail = code + (description == null || description.isBlank() ? "" : ": " + description);
        if (RefreshTokenFileClientService.AUTHORIZATION_REQUIRED.equals(code)) {
            return "no usable YouTube refresh token in " + clients.file() + " (" + detail + "): " + REAUTHORIZE;
        }
        if (OAuth2ErrorCodes.INVALID_GRANT.equals(code)) {
            return "Google refused the YouTube refresh token, expired or revoked (" + detail + "): " + REAUTHORIZE;
        }
        String registration = failure instanceof ClientAuthorizationException client ? " for " + client.getClientRegistrationId() : "";
        return "YouTube access token could not be renewed" + registration + " (" + detail
                + "); check tally.playlist.youtube.oauth.client-id/client-secret/token-uri, then " + REAUTHORIZE;
    }
}
