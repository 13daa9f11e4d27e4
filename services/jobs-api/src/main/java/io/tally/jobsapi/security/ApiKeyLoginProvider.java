package io.tally.jobsapi.security;

import io.tally.common.security.ApiKeys;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * Checks the API key typed into the dashboard's login form (the form's password field; the user name is ignored, the
 * caller is the key's name) against the same keys as the {@code X-API-Key} header.
 */
class ApiKeyLoginProvider implements AuthenticationProvider {

    private final ApiKeys keys;

    ApiKeyLoginProvider(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        Object presented = authentication.getCredentials();
        return keys.find(presented == null ? "" : presented.toString())
                .map(ApiKeys::authentication)
                .orElseThrow(() -> new BadCredentialsException("unknown API key"));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
