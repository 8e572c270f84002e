package io.pulse.api;

import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Fires requests at the same moment, one per thread, released together by a barrier: what a race
 * between clients looks like, as far as a test can make it.
 */
public final class Concurrently {
  private Concurrently() {}

  /** Sends {@code request.apply(i)} for i in 0..n-1 all at once; the answers in order of i. */
  public static List<Response> send(int n, IntFunction<Response> request) throws Exception {
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService clients = Executors.newFixedThreadPool(n);
    try {
      List<Future<Response>> pending = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        pending.add(
            clients.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  return request.apply(index);
                }));
      }
      List<Response> answers = new ArrayList<>();
      for (Future<Response> answer : pending) {
        answers.add(answer.get(60, TimeUnit.SECONDS));
      }
      return answers;
    } finally {
      clients.shutdownNow();
    }
  }

  /** How many answers had each status: the figure a race test asserts on. */
  public static Map<Integer, Integer> statuses(List<Response> answers) {
    Map<Integer, Integer> counts = new TreeMap<>();
    answers.forEach(a -> counts.merge(a.statusCode(), 1, Integer::sum));
    return counts;
  }
}
