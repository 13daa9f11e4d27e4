package io.tally.playlist.youtube;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;

/**
 * The authorized-client store of the one YouTube account, seeded from the refresh-token file. It holds the current
 * access and refresh token in memory; when it has none (at start, or after Spring Security removed the client on a
 * 401 or an {@code invalid_grant}) it reads the file again, so a token stored by a new {@code tally auth youtube}
 * is picked up without a restart. A refresh token the token endpoint rotates is written back to the file.
 */
public final class RefreshTokenFileClientService implements OAuth2AuthorizedClientService {

    private static final Logger log = LoggerFactory.getLogger(RefreshTokenFileClientService.class);
    /**
     * The file holds only a refresh token, but an authorized client needs an access token: this one expired at the
     * epoch, so the refresh-token provider renews it before the first call. It is never sent anywhere.
     */
    private static final OAuth2AccessToken EXPIRED = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER,
            "expired-placeholder", Instant.EPOCH, Instant.EPOCH.plusSeconds(1));

    /** The error code of Spring's {@link ClientAuthorizationRequiredException}: there is no usable refresh token. */
    static final String AUTHORIZATION_REQUIRED = "client_authorization_required";

    private final ClientRegistration registration;
    private final Path file;
    private final AtomicReference<OAuth2AuthorizedClient> current = new AtomicReference<>();
    private volatile String storedRefreshToken;

    public RefreshTokenFileClientService(ClientRegistration registration, Path file) {
        this.registration = registration;
        this.file = file;
    }

    /** The file this store reads and writes. */
    public Path file() {
        return file;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends OAuth2AuthorizedClient> T loadAuthorizedClient(String clientRegistrationId, String principalName) {
        if (!registration.getRegistrationId().equals(clientRegistrationId)) {
            return null;
        }
        OAuth2AuthorizedClient client = current.get();
        if (client == null) {
            client = new OAuth2AuthorizedClient(registration, principalName, EXPIRED,
                    new OAuth2RefreshToken(storedToken(), null));
            current.compareAndSet(null, client);
        }
        return (T) client;
    }

    @Override
    public void saveAuthorizedClient(OAuth2AuthorizedClient authorizedClient, Authentication principal) {
        current.set(authorizedClient);
        OAuth2RefreshToken refreshToken = authorizedClient.getRefreshToken();
        if (refreshToken != null && !Objects.equals(refreshToken.getTokenValue(), storedRefreshToken)) {
            try {
                RefreshTokenFile.write(file, refreshToken.getTokenValue());
                storedRefreshToken = refreshToken.getTokenValue();
                log.info("Stored the rotated YouTube refresh token in {}", file);
            } catch (IOException e) {
                // A read-only mount (a Kubernetes Secret) cannot take it: keep using it from memory.
                log.warn("Could not store the rotated YouTube refresh token in {} ({}); using it from memory until a restart",
                        file, e.getMessage());
            }
        }
    }

    @Override
    public void removeAuthorizedClient(String clientRegistrationId, String principalName) {
        if (registration.getRegistrationId().equals(clientRegistrationId)) {
            current.set(null);
        }
    }

    private String storedToken() {
        Optional<String> token;
        try {
            token = RefreshTokenFile.read(file);
        } catch (IOException e) {
            throw new ClientAuthorizationException(new OAuth2Error(AUTHORIZATION_REQUIRED,
                    "cannot read the refresh token file " + file + ": " + e.getMessage(), null),
                    registration.getRegistrationId(), e);
        }
        if (token.isEmpty()) {
            throw new ClientAuthorizationRequiredException(registration.getRegistrationId());
        }
        storedRefreshToken = token.get();
        return token.get();
    }
}
