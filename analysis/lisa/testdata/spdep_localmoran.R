suppressMessages(library(spdep))
run <- function(input, output, band, transform) {
  d <- read.csv(input)
  xy <- cbind(d$centre_easting, d$centre_northing)
  v <- transform(d$count)
  lw <- nb2listw(dnearneigh(xy, 0, band), style = "W", zero.policy = TRUE)
  lm <- localmoran(v, lw, zero.policy = TRUE, conditional = TRUE, alternative = "two.sided")
  out <- data.frame(cell_x = d$cell_x, cell_y = d$cell_y, centre_easting = d$centre_easting,
    centre_northing = d$centre_northing, value = v, neighbours = card(lw$neighbours),
    Ii = lm[, 1], E_Ii = lm[, 2], Var_Ii = lm[, 3], z = lm[, 4], p = lm[, 5])
  out$p_bh <- p.adjust(out$p, method = "BH")
  z <- v - mean(v)
  lz <- lag.listw(lw, z, zero.policy = TRUE)
  out$quadrant <- paste0(ifelse(z >= 0, "H", "L"), ifelse(lz >= 0, "H", "L"))
  write.csv(out, output, row.names = FALSE, quote = FALSE)
  print(table(out$quadrant)); print(summary(out$neighbours))
}
run("../shared/testdata/gistar/nte_2019_150m.csv", "analysis/lisa/testdata/lisa_nte_2019_150m_band400.csv", 400, identity)
run("../shared/testdata/gistar/violence_100m.csv", "analysis/lisa/testdata/lisa_violence_100m_sqrt_band150.csv", 150, sqrt)
