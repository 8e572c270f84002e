package io.pulse.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The soak's per-minute figures as one PNG, drawn with java.awt (headless) so the bench needs no
 * charting library: a grid of small line charts, one per measure, each with its own scale.
 */
final class SoakPlot {
  /** One line of a chart: its name and one value per minute. */
  record Series(String name, double[] values) {}

  /** One chart: a title, the unit of its scale, and its lines. */
  record Chart(String title, String unit, List<Series> series) {}

  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
  };
  private static final int CHART_W = 560;
  private static final int CHART_H = 300;
  private static final int COLUMNS = 2;

  private SoakPlot() {}

  static void write(String title, List<Chart> charts, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int rows = (charts.size() + COLUMNS - 1) / COLUMNS;
    BufferedImage image =
        new BufferedImage(CHART_W * COLUMNS, 40 + CHART_H * rows, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, 16, 26);
    for (int i = 0; i < charts.size(); i++) {
      draw(g, charts.get(i), (i % COLUMNS) * CHART_W, 40 + (i / COLUMNS) * CHART_H);
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static void draw(Graphics2D g, Chart chart, int x0, int y0) {
    int left = x0 + 64;
    int right = x0 + CHART_W - 16;
    int top = y0 + 28;
    int bottom = y0 + CHART_H - 44;
    double max = 0;
    int minutes = 0;
    for (Series s : chart.series()) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
      minutes = Math.max(minutes, s.values().length);
    }
    max = max <= 0 ? 1 : niceCeiling(max * 1.1);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.setColor(Color.BLACK);
    g.drawString(chart.title() + " (" + chart.unit() + ")", left, y0 + 18);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int tick = 0; tick <= 4; tick++) {
      int y = bottom - (bottom - top) * tick / 4;
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      String label = format(max * tick / 4);
      g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), y + 4);
    }
    g.setColor(Color.BLACK);
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    int step = Math.max(1, minutes / 10);
    for (int m = 0; m < minutes; m += step) {
      int x = xOf(m, minutes, left, right);
      g.drawString(Integer.toString(m + 1), x - 3, bottom + 14);
    }
    g.drawString("minute", right - 40, bottom + 28);
    int legendX = left + 8;
    for (int i = 0; i < chart.series().size(); i++) {
      Series s = chart.series().get(i);
      Color color = COLORS[i % COLORS.length];
      g.setColor(color);
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (int m = 0; m < s.values().length; m++) {
        double v = s.values()[m];
        if (!Double.isFinite(v)) {
          px = -1;
          continue;
        }
        int x = xOf(m, minutes, left, right);
        int y = bottom - (int) Math.round((bottom - top) * v / max);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 2, y - 2, 5, 5);
        px = x;
        py = y;
      }
      g.setStroke(new BasicStroke(1f));
      g.fillRect(legendX, bottom + 22, 10, 10);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), legendX + 14, bottom + 31);
      legendX += 24 + g.getFontMetrics().stringWidth(s.name());
    }
  }

  private static int xOf(int minute, int minutes, int left, int right) {
    return minutes <= 1 ? left : left + (right - left) * minute / (minutes - 1);
  }

  private static double niceCeiling(double value) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double f : new double[] {1, 2, 2.5, 5, 10}) {
      if (f * magnitude >= value) {
        return f * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String format(double v) {
    return v >= 100 || v == Math.rint(v) ? String.format("%,.0f", v) : String.format("%.1f", v);
  }
}
