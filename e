error: im2.json: line 1 column 0: not valid JSON: '[' or '{' expected near end of file
1 error in im2.json
