package io.pulse.api.console;

import io.pulse.api.admin.DeadLetter;
import java.util.List;

/**
 * The dead-letters page: the filters (type, error class, failed since) with the error classes the
 * chosen type's dead jobs have, one page of dead jobs, a link to the next.
 */
public record DeadLettersView(
    String type,
    List<String> types,
    String errorClass,
    List<String> errorClasses,
    String since,
    List<DeadLetter> items,
    String nextHref,
    String error) {}
