DROP TABLE essays;
DROP TABLE batches;
