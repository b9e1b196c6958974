# A wrong class rounding, in a public header: sizes that are not a multiple of 8 round down to
# their granule, so they map to a class one smaller than they need.
# Caught by the model: malloc 9 gets a usable size of 8, the model's class gives 16.
set(MUTANT_EXPECT model)
set(MUTANT_EXPECT_NO_VALIDATE model)
set(MUTANT_SUITE SmallBlocks)
set(MUTANT_FILE include/alligator/detail/size_class_map.hpp)
set(MUTANT_ORIGINAL [==[
  if (size <= kFineLookupLimit) return kClassByGranule[(size + kSizeGranule - 1) / kSizeGranule];
]==])
set(MUTANT_REPLACEMENT [==[
  if (size <= kFineLookupLimit) return kClassByGranule[size / kSizeGranule];
]==])
