package dev.streamfold.query.aggregates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.streamfold.common.aggregate.Dimension;
import dev.streamfold.common.aggregate.WindowSpec;
import dev.streamfold.schemas.CustomerLifetime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.json.JsonCompareMode;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.ErrorResponse;

/** The REST contract of a customer's lifetime totals; the interactive-query reader is a test double. */
@WebMvcTest(CustomerLifetimeController.class)
@Import(CustomerLifetimeControllerTest.SliceBeans.class)
class CustomerLifetimeControllerTest {

    private static final String URL = "/api/v1/customers/{customerId}/lifetime";

    @Autowired
    private MockMvc mvc;

    @MockitoBean
    private CustomerLifetimeReader reader;

    @TestConfiguration
    static class SliceBeans {
        @Bean
        ServedAggregates servedAggregates() {
            return served(true);
        }
    }

    @Test
    void shouldAnswerACustomersLifetimeTotalsInTheDocumentedShape() throws Exception {
        // Given customer 42's lifetime totals
        given(reader.lifetime("42")).willReturn(Optional.of(CustomerLifetime.newBuilder()
                .setCustomerId("42").setOrderCount(3).setQuantity(5)
                .setRevenueMinor(Map.of("EUR", 4500L, "USD", 199L))
                .setFirstOrderAt(Instant.parse("2026-11-01T09:30:00Z"))
                .setLastOrderAt(Instant.parse("2026-11-21T10:00:12.345Z"))
                .build()));

        // When they are asked for
        // Then the body has exactly the contract's fields
        mvc.perform(get(URL, "42"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(content().json("""
                        {"customerId":"42","orderCount":3,"quantity":5,"revenueMinor":{"EUR":4500,"USD":199},
                         "firstOrderAt":"2026-11-01T09:30:00Z","lastOrderAt":"2026-11-21T10:00:12.345Z"}
                        """, JsonCompareMode.STRICT));
    }

    @Test
    void shouldLookTheCustomerUpByItsIdAsTheTopicIsKeyed() throws Exception {
        // Given no totals
        given(reader.lifetime(anyString())).willReturn(Optional.empty());

        // When the id comes with leading zeros
        mvc.perform(get(URL, "0042"));

        // Then the store is read under the id in decimal, as aggregation keys it
        verify(reader).lifetime("42");
    }

    @Test
    void shouldAnswer404WhenTheCustomerHasNoLifetimeTotals() throws Exception {
        // Given no totals for customer 43
        given(reader.lifetime("43")).willReturn(Optional.empty());

        // When they are asked for
        mvc.perform(get(URL, "43"))
                // Then a 404 problem detail says there are none
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.status").value(404))
                .andExpect(jsonPath("$.detail").value("customer 43 has no lifetime totals: no order of theirs has been aggregated"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "-7", "0", "4.2", "99999999999999999999"})
    void shouldRejectAnIdThatIsNoPositiveDecimalNumber(String customerId) throws Exception {
        // When the id is not a positive decimal number that fits a customer id
        mvc.perform(get(URL, customerId))
                // Then a 400 problem detail says so, and no store is read
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.detail").value(containsString("must be a positive decimal customer id, not '"
                        + customerId + "'")));
        verifyNoInteractions(reader);
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileTheStoreIsNotQueryable() throws Exception {
        // Given the partition of the customer is hosted by another instance
        given(reader.lifetime("42")).willThrow(new StoreUnavailableException("hosted by another instance"));

        // When queried
        mvc.perform(get(URL, "42"))
                // Then the caller is told to come back later
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "5"))
                .andExpect(jsonPath("$.status").value(503));
    }

    @Test
    void shouldAnswer404WhenLifetimesAreNotAggregated() {
        // Given a service configured without customer lifetimes
        CustomerLifetimeReader reader = mock(CustomerLifetimeReader.class);
        CustomerLifetimeController controller = new CustomerLifetimeController(reader, served(false));

        // When a customer's lifetime is asked for
        // Then the answer is 404, naming the setting, and no store is read
        assertThatThrownBy(() -> controller.lifetime("42"))
                .isInstanceOfSatisfying(ErrorResponse.class, error -> {
                    assertThat(error.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
                    assertThat(error.getBody().getDetail())
                            .contains("streamfold.aggregates.customer-lifetime is false");
                });
        verifyNoInteractions(reader);
    }

    private static ServedAggregates served(boolean customerLifetime) {
        Duration minute = Duration.ofMinutes(1);
        return new ServedAggregates(List.of(Dimension.CATEGORY), List.of(), customerLifetime,
                WindowSpec.tumbling(minute), WindowSpec.hopping(Duration.ofMinutes(5), minute), minute);
    }
}
