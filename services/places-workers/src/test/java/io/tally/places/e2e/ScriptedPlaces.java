package io.tally.places.e2e;

import io.tally.places.source.Place;
import io.tally.places.source.PlacesException;
import io.tally.places.source.PlacesSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;

/**
 * Test configuration of the places workers in the end-to-end test: wraps the configured {@link PlacesSource} so two
 * made-up cities misbehave the way a real API does, each answered with Paris's places once it behaves.
 * {@value #SLOW}: the first call hangs for {@link #HANG} (past the test's stage timeout), later ones answer.
 * {@value #FLAKY}: the first two calls fail as a rate-limited API does (retryable), the third answers.
 * Other cities go to the real (fixture) source. {@link #calls} counts the calls per city.
 */
public class ScriptedPlaces {

    static final String SLOW = "Slowtown";
    static final String FLAKY = "Flakytown";
    static final Duration HANG = Duration.ofSeconds(8);

    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    static int calls(String city) {
        AtomicInteger calls = CALLS.get(city);
        return calls == null ? 0 : calls.get();
    }

    @Bean
    static BeanPostProcessor scriptedPlacesSource() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof PlacesSource source ? scripted(source) : bean;
            }
        };
    }

    private static PlacesSource scripted(PlacesSource real) {
        return new PlacesSource() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public List<Place> restaurants(String city, int count) {
                int call = CALLS.computeIfAbsent(city, key -> new AtomicInteger()).incrementAndGet();
                if (city.equals(SLOW) && call == 1) {
                    try {
                        Thread.sleep(HANG.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (city.equals(FLAKY) && call <= 2) {
                    throw new PlacesException(PlacesException.UNAVAILABLE, "HTTP 429 (scripted, call " + call + ")",
                            true, null);
                }
                return real.restaurants(city.equals(SLOW) || city.equals(FLAKY) ? "Paris" : city, count);
            }
        };
    }
}
