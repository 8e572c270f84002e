package io.pulse.api.jobs;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a keyset-paged list. A query asks for {@link #fetch(int)} rows, one more than the
 * page holds: that extra row only says whether a next page exists, so no count is ever run.
 */
public record KeysetPage<T>(List<T> items, boolean more) {

  /** How many rows to ask for to fill a page of {@code size}. */
  public static int fetch(int size) {
    return size + 1;
  }

  /** The page of {@code size} within what a query returned for {@link #fetch(int)} rows. */
  public static <T> KeysetPage<T> of(List<T> fetched, int size) {
    boolean more = fetched.size() > size;
    return new KeysetPage<>(more ? fetched.subList(0, size) : fetched, more);
  }

  /** The cursor of the next page (from this page's last row), or null on the last page. */
  public String next(Function<T, String> cursorOf) {
    return more ? cursorOf.apply(items.get(items.size() - 1)) : null;
  }

  public <R> List<R> map(Function<T, R> view) {
    return items.stream().map(view).toList();
  }
}
