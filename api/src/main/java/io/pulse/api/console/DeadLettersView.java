package io.pulse.api.console;

import io.pulse.api.admin.DeadLetter;
import java.util.List;

/** The dead-letters page: the filter, one page of dead jobs, a link to the next. */
public record DeadLettersView(
    String type, List<String> types, List<DeadLetter> items, String nextHref, String error) {}
