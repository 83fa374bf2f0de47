// SPDX-License-Identifier: BSD-2-Clause
/*
 * A main() for the fuzz targets without libFuzzer: run every input named
 * on the command line (files, or directories of files, in name order)
 * through LLVMFuzzerTestOneInput() once. `make coverage` links each
 * target with it to measure what the checked-in corpora reach; a
 * finding aborts as under libFuzzer, and the exit status is 0 only when
 * every input ran.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	/* An exact-size heap copy, as libFuzzer passes it (ASan sees overreads). */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	replayed++;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];
	int n, err = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "fuzz_replay: no such input: %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "fuzz_replay: cannot list %s\n", path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && !err) {
			snprintf(sub, sizeof(sub), "%s/%s", path,
				 names[i]->d_name);
			err = run_path(sub); /* sub-directories too */
		}
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	int err = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc && !err; i++)
		err = run_path(argv[i]);
	printf("fuzz_replay: %s: %lu inputs\n", argv[0], replayed);
	return err ? 1 : 0;
}
