# Reference coefficients for forecast_test.go, made with R 4.2.2's glm:
# Rscript analysis/forecast/testdata/glm.R (from the repository root).
d <- read.csv("analysis/forecast/testdata/city_of_london_panel.csv")
C <- as.matrix(d[, -(1:2)])
moy <- d$month_of_year
rows <- list()
for (t in 13:36) { # 1-based: targets are the months with 12 months before them
  for (i in seq_len(ncol(C))) {
    r <- c(y = unname(C[t, i]), trend = (t - 1) / 12)
    for (m in 2:12) r[paste0("m", m)] <- as.numeric(moy[t] == m)
    r["last"] <- log(C[t - 1, i] + 0.1)
    r["mean3"] <- log(mean(C[(t - 3):(t - 1), i]) + 0.1)
    r["mean12"] <- log(mean(C[(t - 12):(t - 1), i]) + 0.1)
    r["lastyear"] <- log(C[t - 12, i] + 0.1)
    rows[[length(rows) + 1]] <- r
  }
}
X <- as.data.frame(do.call(rbind, rows))
fit <- glm(y ~ ., data = X, family = poisson, control = glm.control(epsilon = 1e-14, maxit = 100))
write.csv(data.frame(term = names(coef(fit)), coef = sprintf("%.15g", coef(fit)), se = sprintf("%.15g", sqrt(diag(vcov(fit))))),
  "analysis/forecast/testdata/city_of_london_glm.csv", row.names = FALSE, quote = FALSE)
cat("deviance", sprintf("%.15g", deviance(fit)), "rows", nrow(X), "\n")
