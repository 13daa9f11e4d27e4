package io.tally.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The configured API keys and how a presented key is matched: as SHA-256 digests with {@link MessageDigest#isEqual}
 * (constant time, and independent of the key's length), checking every configured key so the time does not reveal
 * which one matched. Shared by the {@code X-API-Key} header filter and the jobs API dashboard's login form.
 */
public class ApiKeys {

    private record Known(byte[] digest, ApiSecurityProperties.ApiKey key) {
    }

    private final List<Known> keys;

    public ApiKeys(List<ApiSecurityProperties.ApiKey> keys) {
        this.keys = keys.stream().map(key -> new Known(digest(key.key()), key)).toList();
    }

    /** The configured key equal to {@code presented}, if any. */
    public Optional<ApiSecurityProperties.ApiKey> find(String presented) {
        byte[] digest = digest(presented);
        ApiSecurityProperties.ApiKey found = null;
        for (Known known : keys) {
            if (MessageDigest.isEqual(known.digest(), digest) && found == null) {
                found = known.key();
            }
        }
        return Optional.ofNullable(found);
    }

    /** An authenticated caller named after {@code key}, with {@code ROLE_<role>} authorities. */
    public static Authentication authentication(ApiSecurityProperties.ApiKey key) {
        return UsernamePasswordAuthenticationToken.authenticated(key.name(), null,
                key.roles().stream().map(role -> new SimpleGrantedAuthority("ROLE_" + role.name())).toList());
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
