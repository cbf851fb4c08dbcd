# Reference Empirical Bayes rates for rates_test.go, made with R 4.2.2 and
# spdep 1.2-7: Rscript analysis/rates/testdata/spdep_ebest.R (from the
# repository root).
suppressMessages(library(spdep))
d <- read.csv("analysis/rates/testdata/leicestershire_lsoa_violence.csv")
eb <- EBest(d$crimes, d$population)
nb <- dnearneigh(cbind(d$x, d$y), 0, 1500)
loc <- EBlocal(d$crimes, d$population, nb, zero.policy = TRUE, geoda = TRUE)
out <- data.frame(lsoa = d$lsoa, raw = eb$raw, eb = eb$estmm, neighbours = card(nb),
  spatial_eb = loc$est)
write.csv(out, "analysis/rates/testdata/leicestershire_lsoa_violence_eb.csv", row.names = FALSE, quote = FALSE)
print(attr(eb, "parameters"))
