package ingest

// Emptied lists the files of a load that had every line quarantined: their
// partitions now hold nothing, which is not a successful load of them
// however the other files went.
func (s *Summary) Emptied() []string {
	var paths []string
	for _, f := range s.Files {
		if (f.Status == StatusLoaded || f.Status == StatusReplaced) && f.Loaded == 0 && f.Quarantined > 0 {
			paths = append(paths, f.Path)
		}
	}
	return paths
}
